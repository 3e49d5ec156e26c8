"""Every hint a learner can read, in one place.

The graders' messages say *what* is wrong (computed from the learner's
output); the hints below say *where to look*, never the fix in code. They are
grouped by where they are used: the run loop (exceptions, time limits,
modified inputs, evidence from which cases pass), the comparison of outputs
(shapes, dtypes), the standard case sets, and each unit's mistake catalogue
(``MISTAKE``, keyed by exercise family and mistake name). A unit module takes
its texts from here and never writes a hint of its own, so a wording is fixed
once and the duplicates tool finds none written twice.

Taught with: every lab's check cells (solutions/NN_topic.ipynb).
"""
from __future__ import annotations

# ---------------------------------------------------------------- calling the function
NOT_A_FUNCTION = ("Pass the function itself: check({id!r}, {id}) without parentheses "
                  "after {id}.")
NOT_WRITTEN = ("your function still raises NotImplementedError: replace the "
               "`raise NotImplementedError()` line with your code.")
TIMED_OUT = ("Look for a loop that never ends (a while loop whose condition never "
             "changes, or a loop over the wrong axis).")
MODIFIED_INPUT = ("Operators such as `+=`, `*=` or slice assignment on an argument change "
                  "the caller's array: compute into a new array instead.")
RETURNS = "{id} returns {spec}."
NAN = ("NaN or inf appeared: look for an exp that overflows, a division by zero or a log "
       "of a non-positive number.")
FIXED_SIZE = ("Your function works for some sizes and fails for others: read every size "
              "from the shapes of the arguments (e.g. H = h_prev.shape[1]) instead of a "
              "global variable or a fixed number.")
SWAPPED = ("`{a}` and `{b}` are right but in each other's place: {id} returns {spec}, in "
           "that order.")
STATEFUL = ("Compute everything from the arguments of each call: a cache, a global variable "
            "or anything kept from an earlier call gives stale answers when the same "
            "weights come with new inputs.")

# exceptions, by what the error says (the first that applies)
EXCEPTION = {
    "broadcast_gates": ("An elementwise operation met arrays of different shapes: every gate "
                        "and state is (B, H), so check how you slice the stacked gate blocks "
                        "(each is H wide) and which arrays you combine."),
    "broadcast": ("An elementwise operation met arrays of different shapes: every state is "
                  "(B, H), so check which arrays you combine and the shapes of your products."),
    "matmul": ("Check the shapes of every product: x is (B, I) and W_ih has I columns, so "
               "multiply x by the transpose of W_ih; the same for h and W_hh."),
    "floatingpointerror": ("NumPy is set to raise on floating-point warnings (np.seterr or "
                           "np.errstate in your notebook): make the operation it names safe "
                           "(an exp that overflows in a sigmoid, say), or undo that setting."),
    "memoryerror": ("Your function asked for more memory than there is: look for an array far "
                    "larger than (T, B, H), e.g. an outer product or a size typed by hand."),
    "recursionerror": "Your function calls itself without end: did a name end up pointing to itself?",
    "nameerror": "A name is not defined: did you run the cell that defines it (e.g. sigmoid)?",
    "index_gates": "An index is out of range: check how you slice the stacked gate blocks.",
    "index": "An index is out of range: check the sizes you slice with.",
    "attributeerror": "An attribute does not exist: NumPy arrays are not torch tensors.",
    "other": "Read the error above and the line it quotes.",
}

# ---------------------------------------------------------------- evidence from which cases pass
BATCH = ("Right for a batch of one, wrong for B > 1: look at what mixes the rows of the "
         "batch (a sum or mean over axis 0, a product with the batch on the wrong side, a "
         "reshape that interleaves rows).")
BATCH_BACKWARD = ("Right for a batch of one, wrong for B > 1: look at the batch reductions: "
                  "the parameter gradients sum the per-sequence contributions over the batch "
                  "axis (not a mean, not only row 0), while dX and dh0 keep one row per "
                  "sequence.")
TIME_LOOP = ("Right for one time step, wrong for longer sequences: look at the time loop: "
             "the state carried from each step to the next, and the first and last steps.")
TIME_LOOP_BACKWARD = ("Right for one time step, wrong for longer sequences: look at the time "
                      "loop: the gradient carried from step t + 1 back into step t (dh, and dc "
                      "for the LSTM), where it starts at t = T - 1 and where it ends at t = 0.")
ONE_BLOCK = ("At T = 1 only the {gate} block of {grads} is wrong: look at the derivative "
             "through {meaning}.")
ONLY_GRAD = "At T = 1 only {grad} is wrong: look at {meaning}."
GATE_MEANING = {
    "r": "the reset gate r (its sigmoid derivative and the term W_hn h + b_hn it scales)",
    "z": "the update gate z (how h' = (1 - z) n + z h depends on z, and its sigmoid "
         "derivative)",
    "n": "the candidate n (tanh's derivative, and the factor r on its recurrent part)",
    "i": "the input gate i (it scales g in c'; its sigmoid derivative)",
    "f": "the forget gate f (it scales c_prev in c'; its sigmoid derivative)",
    "g": "the candidate g (it is scaled by i in c'; tanh's derivative)",
    "o": "the output gate o (it scales tanh(c') in h'; its sigmoid derivative)",
}
GRAD_MEANING = {
    "dX": "dX: the gradients of the pre-activations times W_ih",
    "dh0": "the gradient into h_prev: the product with W_hh plus the direct paths of the cell",
    "dc0": "the gradient into c_prev: dc times the forget gate",
}

# ---------------------------------------------------------------- composite functions
LAYER_RIGHT = ("Your {id} itself is right: with the course's {cell} in place of yours it "
               "passes every check. The failures come from your {cell}: fix it first (its "
               "own check is above).")
TWO_PROBLEMS = ("Two problems, in two places. In {id} itself: {layer} And in the {cell} it "
                "calls: {cell_hint}")
LAYER_ALSO = ("{id} still fails with the course's {cell} in place of yours, so its own code "
              "has a bug too (see the failed checks).")
CELL_ALSO = "it is wrong as well: see its own check above."

# ---------------------------------------------------------------- shapes and dtypes
SHAPE = {
    "time_first": "`{name}` looks like its axes are in another order: sequences are time "
                  "first (T, B, H).",
    "grad_transposed": "`{name}` looks transposed: a gradient has the shape of its parameter "
                       "(W_ih is (gates * H, I), W_hh is (gates * H, H)).",
    "batch_first": "`{name}` looks transposed: the batch is the first axis (B, H).",
    "lost_time": "`{name}` lost its first axis: keep every time step, (T, B, H).",
    "lost_batch": "`{name}` lost its batch axis: keep it even when B = 1, (B, H).",
    "lost_axis": "`{name}` lost its first axis.",
    "extra_one": "`{name}` has an extra leading axis of size 1 (torch's h_n has one; ours "
                 "does not).",
    "step_too_many": "`{name}` has one time step too many: it seems to include the initial "
                     "state; keep the T states computed by the steps.",
    "step_too_few": "`{name}` has one time step too few: check that the loop visits every t "
                    "from 0 to T - 1.",
    "gate_multiple": "`{name}` has {k}x the hidden size: split the stacked gate blocks before "
                     "combining them.",
}
DTYPE = {
    "dict": "is a dict: return the arrays themselves, in the signature's order",
    "iterator": "is a {type}, not an array (build the array, e.g. with np.stack, before "
                "returning it)",
    "object": "is an object array (mixed or ragged contents), not numbers",
    "bool": "is an array of True/False values (a comparison?), not numbers",
    "float16": "is float16 (half precision, about 3 significant digits): compute in the "
               "inputs' dtype",
    "int": "has integer dtype {dtype}: an array made with an integer dtype "
           "(np.zeros(..., dtype=int), np.array([0, 1])) truncates values",
}
MISSING_RETURN = "is a `return` missing?"

# ---------------------------------------------------------------- the standard case sets
CASE = {
    "bias": "Look at how b_ih and b_hh enter each gate (both are added, each in its place).",
    "bias_rnn": "Look at how b_ih and b_hh enter (both are added).",
    "x0": "Look at the recurrent terms: W_hh, b_hh and the previous state(s).",
    "h0": "Look at the input terms: W_ih and b_ih, and how each gate block is sliced.",
    "h0_rnn": "Look at the input term: W_ih and b_ih.",
    "sat": ("Large pre-activations must not overflow: a sigmoid written as exp(a) / (1 + "
            "exp(a)) gives inf / inf = NaN; use a form that stays finite."),
    "last_dh": ("With dH non-zero only at the last step, every earlier gradient comes through "
                "the recurrence: check how dh (and dc) flow from step t to t-1."),
    "sat_grad": "Check the derivatives of the sigmoid and tanh where they saturate.",
    "peephole_c0": "Look at the output gate's peephole: it sees the new cell state.",
}
