"""Helpers for the gated-RNN course: graders, reference code, oracle, tools.

Package map (one pattern per unit: a clean NumPy reference, a torch oracle,
the unit's grader with its mistakes)::

    math (clean references, no grading switches)
      reference      NumPy cells and layers: rnn/gru/lstm cell and forward, the gate
                     values (gru_gates, lstm_gates), gru_direction, gru_stack_forward
                     (lessons 01-03, 05; labs 01-03, 05)
      bptt           backward passes through time with their forward caches (unit 04)
      fast           the fast NumPy GRU and LSTM forwards (unit 07)
      variants       Cho's GRU, GRU1-3, MGU, peephole and coupled LSTMs (unit 08)
    torch
      oracle         every torch oracle in float64, parameter names, rand_params,
                     copying weights into and out of torch modules
      device         the GPU/CPU comparison and its tolerances (units 00-03, 07)
    grading          grade() / check() and the exercise registry
      exercise, report, calls, compare, run, hints    the engine, one concern each;
                     every hint a learner reads is in hints
      build          case sets and mistake builders shared by the units
      rnn, gru, lstm, bptt, stack, speed, variants    one module per unit: its
                     mistake catalogue and the registration of its exercises
    lessons' helpers
      tasks, train   synthetic tasks and the training loop of lesson 06
      gradients, gradcheck   gradient norms (lesson 01) and finite differences (04)
      widgets, figures       interactive gate explorers and plots (lessons 01-03, 05)
      diagrams       the cell diagrams, drawn from code (lessons 01-03, 05, 08)
      timing, bench, bench_bptt   side-by-side timing and the benchmarks (unit 07)
      counting       the a^n b^n counting task of lesson 09
      charlm         the character-level language model of the capstone (unit 10)
    instructors' tools
      make_exercises exercises/ generated from solutions/
      autograde      grading a folder of submissions (``python -m course_utils.autograde``),
                     its learner-process sandbox and its benchmark
      nbio           reading and atomically writing notebooks, with clear errors
      tracebacks     where in the learner's code an exception was raised (the quoted line)
      sandbox, autograde_bench   the old import paths of autograde.sandbox and .bench
"""
__version__ = "0.1.0"
