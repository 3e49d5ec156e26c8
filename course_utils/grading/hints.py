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
ONE_BLOCK = ("{when} only the {gate} block of {grads} is wrong: look at the derivative "
             "through {meaning}.")
ONLY_GRAD = "{when} only {grad} is wrong: look at {meaning}."
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
GRAD_MEANING.update(dx=GRAD_MEANING["dX"].replace("dX", "dx"), dh_prev=GRAD_MEANING["dh0"],
                    dc_prev=GRAD_MEANING["dc0"])

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
    "only_dh": ("Here dc_next = 0, so every gradient comes through h_next = o * tanh(c_next): "
                "check the output gate's gradient and the path from dh_next into the cell."),
    "only_dc": ("Here dh_next = 0, so every gradient comes from dc_next through the cell: check "
                "that dc_next is added to the cell's gradient, and how it reaches i, f, g and "
                "c_prev."),
    "peephole_c0": "Look at the output gate's peephole: it sees the new cell state.",
}


# ---------------------------------------------------------------- hints that catalogues build
def missing_bias(name: str) -> str:
    """The hint for a cell that leaves out the bias vector ``name`` ("b_ih", "b_hh")."""
    return (f"{name} seems to be missing: both bias vectors are added (torch keeps two for "
            "cuDNN compatibility).")


SIGMOID_SIGN = ("The gates look like 1 - sigmoid: check the sign in your sigmoid, "
                "sigmoid(a) = 1 / (1 + exp(-a)).")


def copied_slice(gate: str, source: str) -> str:
    """The hint for a gate computed from another gate's rows (a copy-pasted slice)."""
    return (f"The gate {gate} seems computed from the rows of {source} (a copy-pasted "
            f"slice?): each gate has its own block of H rows in W_ih, W_hh, b_ih and b_hh.")


def untransposed_blocks(block: str) -> str:
    """The hint for square (H, H) blocks of W_hh used untransposed; ``block`` names one."""
    return ("The recurrent products use the (H, H) blocks of W_hh the wrong way round: with "
            f"states as rows, {block} h becomes h_prev times the transpose of {block} (the "
            "blocks are square, so no shape error warns you).")


def init_ignored(state: str) -> str:
    """The hint for a layer that starts from zeros instead of ``state`` ("h0", "h0 and c0")."""
    return (f"The initial state is ignored: start the loop from the given {state}, "
            "not from zeros.")


GRU_OTHER = ("The update gate is used the other way round: with torch's convention "
             "z = 1 keeps the previous state (h' = h) and z = 0 takes the candidate.")
GRU_CHO = ("The reset gate is applied before the recurrent product, W_hn (r * h) (the "
           "EMNLP 2014 form of Cho et al.); torch and cuDNN apply it to the product "
           "W_hn h + b_hn instead.")
GRU_B_HN = ("b_hn is added outside the reset gate: in torch's GRU the reset gate "
            "multiplies the whole recurrent term of the candidate, bias b_hn included.")
GRU_RESET_ALL = ("The reset gate multiplies the input term of the candidate too: it should "
                 "only scale the recurrent term.")


def gru_gate_order(order: str) -> str:
    """The hint for GRU gate blocks read in another ``order`` (e.g. "zrn")."""
    return (f"The gate blocks look read in the order {', '.join(order)}: torch stacks "
            "the rows of W_ih, W_hh, b_ih, b_hh as r, z, n (reset, update, candidate).")


def lstm_gate_order(order: str) -> str:
    """The hint for LSTM gate blocks read in another ``order`` (e.g. "ifog")."""
    if order.index("f") < order.index("i"):
        return ("The forget and input gates look exchanged (blocks read in the order "
                f"{', '.join(order)}): torch stacks i, f, g, o, and f multiplies the previous "
                "cell state c while i multiplies the candidate g.")
    return (f"The gate blocks look read in the order {', '.join(order)}: torch stacks the "
            "rows of W_ih, W_hh, b_ih, b_hh as i, f, g, o (input, forget, candidate, output).")


DH0 = ("dh0 is the gradient arriving at the first step's output, not the one leaving "
       "it: backpropagate through step 0 (into its h_prev) before returning it.")

SPEED_PROJECTION = (
    "Do the input projection of all T steps as one 2-D matrix product before the loop, "
    "X.reshape(T * B, I) @ W_ih.T, and only slice its result inside the loop. (NumPy's @ on "
    "the 3-D X still runs one small product per time step, and np.einsum without "
    "optimize=True does not use the BLAS.)")
SPEED_TIME = ("Keep the work inside the loop to the recurrent product and element-wise "
              "operations on whole gate blocks; no Python loops over units or batch rows.")

SPEED_FOLDED = (" In a fast version this happens when all of b_hh is folded into the input "
                "projection: b_hn must stay inside r * (W_hn h + b_hn).")


# texts that two catalogues share
NO_BIASES = "The biases seem to be missing: add b_ih and b_hh in every gate."
NO_ACCUMULATION = ("The gradient is not accumulated over time: at step t, dh is dH[t] plus the "
                   "gradient flowing back from step t + 1.")
BATCH_MEAN = ("The parameter gradients look divided by the batch size: the loss is a sum over "
              "the batch, so sum the per-sequence gradients, do not average them.")


# ---------------------------------------------------------------- the mistake catalogues
#: unit -> mistake name -> hint (the names are the catalogues' own, see grading/<unit>.py)
# unit 07: a precomputed input projection of {width} = (gate blocks) x H columns
_SCRAMBLED_PROJECTION = (
    "The precomputed input projections belong to the wrong (t, b) pairs: X is (T, B, I), "
    "so flatten it to (T * B, I) and reshape the product back to (T, B, {width}) in that "
    "same order (or transpose consistently both ways).")

MISTAKE = {
    "rnn": {
        "no biases": "The biases seem to be missing: add both b_ih and b_hh.",
        "sigmoid": "Wrong activation: the RNN state uses tanh (values in (-1, 1)), not sigmoid.",
        "relu": "Wrong activation: this exercise is the tanh RNN, not ReLU.",
        "no activation": "The activation is missing: the new state is tanh of the pre-activation.",
        "tanh on input only": (
            "The tanh covers only the input term: apply it to the sum of the input term, the "
            "recurrent term and both biases."),
        "no recurrence": "The previous state is not used: the recurrent term W_hh h_prev is missing.",
        "W_hh not transposed": (
            "The recurrent product uses W_hh the wrong way round: with states as rows, W_hh h"
            " becomes h_prev times the transpose of W_hh. (W_hh is square, so the shapes fit "
            "either way and no error warns you.)"),
    },
    "gru": {
        "no biases": NO_BIASES,
        "no b_hn": (
            "b_hn (the candidate's block of b_hh) seems to be missing: the reset gate "
            "multiplies W_hn h + b_hn."),
        "no reset": "The reset gate seems to be missing (the candidate ignores r).",
        "sigmoid candidate": "Wrong activation: the candidate n uses tanh (values in (-1, 1)), not sigmoid.",
        "relu candidate": "Wrong activation: the candidate n uses tanh, not ReLU.",
        "linear candidate": "The candidate n has no activation: it is tanh of its pre-activation.",
        "tanh gates": (
            "Wrong activation: the gates r and z use the sigmoid (values in (0, 1)), not "
            "tanh."),
        "returns candidate": (
            "You return the candidate n: the new state mixes n with the previous state "
            "through the update gate z."),
        "returns z": "You return the update gate z instead of the new state.",
    },
    "lstm": {
        "c not carried": (
            "The cell state is not carried: each step must use the c the previous step "
            "returned, not c0."),
        "h not carried": (
            "The hidden state is not carried: each step must use the h the previous step "
            "returned, not h0 (the cell state c is carried, h must be too)."),
        "returns h twice": (
            "The final cell state is wrong: return (H_all, (h_n, c_n)) with c_n the last cell "
            "state."),
        "outputs c": "The outputs H are the cell states: an LSTM layer outputs the hidden states h_t.",
        "no tanh on cell": "The new hidden state is missing the tanh on the cell: h' = o * tanh(c').",
        "tanh around o*c": (
            "The tanh is in the wrong place: the output gate multiplies tanh(c'); it is not "
            "inside the tanh."),
        "h from c_prev": "h' uses the previous cell state: compute c' first, then h' from c'.",
        "sigmoid on g": "Wrong activation: the candidate g uses tanh (values in (-1, 1)), not sigmoid.",
        "linear g": "The candidate g has no activation: it is tanh of its pre-activation.",
        "tanh gates": (
            "Wrong activation: the gates i, f, o use the sigmoid (values in (0, 1)), not "
            "tanh."),
        "forget bias in the cell": (
            "The forget gate's pre-activation is shifted by +1: a forget bias of 1 is a way "
            "to initialise b_ih or b_hh, not a term to add inside the cell."),
        "coupled input gate": (
            "The input gate looks computed as 1 - f (the coupled CIFG variant of unit 08): "
            "torch's LSTM has its own input gate i from its own block of rows."),
        "g tanh twice": "The candidate g seems squashed twice: apply tanh to its pre-activation once.",
        "no forget gate": (
            "The forget gate seems to be missing (the old cell state is kept whole): c' = f *"
            " c + i * g."),
        "no biases": NO_BIASES,
        "returns (c, h)": "The two results are in the wrong order: return (h_next, c_next).",
        "no tanh on cell + returns (c, h)": (
            "The two results are in the wrong order (return (h_next, c_next)), and h' is "
            "missing the tanh on the cell."),
    },
    "gru_backward": {
        "sigmoid derivative": (
            "The gate derivatives look wrong: the derivative of the sigmoid s is s * (1 - s),"
            " written with the gate value itself (r or z), not s alone."),
        "tanh derivative": (
            "The candidate's derivative looks wrong: the derivative of tanh is 1 - n**2 (n "
            "squared), not 1 - n."),
        "no accumulation": (
            NO_ACCUMULATION),
        "batch mean": (
            BATCH_MEAN),
        "reset path": (
            "The path through the reset gate into the recurrent product is missing its "
            "factor: the n-block of the recurrent pre-activation is multiplied by r in the "
            "forward pass, so its gradient is multiplied by r too."),
        "z path": (
            "The direct path h' = ... + z * h is missing from dh_prev: besides the gradient "
            "through W_hh, h_prev receives dh * z."),
        "dz sign": (
            "The update gate's gradient looks negated: differentiate h' = (1 - z) n + z h "
            "with respect to z and check which term carries the minus sign."),
        "dr without b_hn": (
            "The reset gate's gradient leaves out b_hn: r multiplies the whole recurrent term"
            " W_hn h + b_hn, so the gradient into r is the candidate's pre-activation "
            "gradient times that whole term."),
    },
    "lstm_backward": {
        "sigmoid derivative": (
            "The gate derivatives look wrong: the derivative of the sigmoid s is s * (1 - s) "
            "for each of i, f and o."),
        "tanh derivative": (
            "A tanh derivative looks wrong: for g and for tanh(c') it is 1 - t**2 (t "
            "squared), not 1 - t."),
        "no accumulation": (
            NO_ACCUMULATION),
        "no cell carry": (
            "The cell-state gradient does not flow back through time: dc at step t gets dc "
            "from step t + 1 multiplied by that step's forget gate f."),
        "h to c": (
            "dc is missing the contribution of h' = o * tanh(c'): add dh * o * (1 - "
            "tanh(c')**2)."),
        "df with new c": (
            "The forget gate's gradient uses the new cell state: in c' = f * c_prev + i * g "
            "the forget gate multiplies the previous cell state."),
        "do without tanh": (
            "The output gate's gradient is missing the tanh: h' = o * tanh(c'), so o's "
            "gradient is dh times tanh(c'), not dh times c'."),
        "batch mean": (
            BATCH_MEAN),
    },
    "stack": {
        "swapped halves": (
            "The two directions are concatenated in the wrong order: output[..., :H] is the "
            "forward direction, output[..., H:] the backward one."),
        "not re-reversed": (
            "The backward direction's outputs are still in reversed time order: after running"
            " it on X[::-1], reverse its outputs back so that output[t] belongs to time t in "
            "both halves."),
        "h_n direction-major": (
            "h_n's rows are in the wrong order: row layer * D + direction (layer 0 forward, "
            "layer 0 backward, layer 1 forward, ...)."),
        "forward half only": (
            "A deeper layer gets only part of the layer below: its input is the full output "
            "of the layer below, both directions concatenated (D * H features)."),
        "backward h_n at the end": (
            "The backward direction's final state is wrong: it ends at time 0, so its h_n is "
            "its output at t = 0 (output[0, :, H:] of the last layer), not at t = T - 1."),
        "backward not reversed": (
            "The backward direction runs forward in time: feed it X reversed (X[::-1]) and "
            "reverse its outputs back."),
        "forward weights both": (
            "Both directions use the same weights: direction d of layer l has its own "
            "params[l][d] (torch's ..._reverse parameters for d = 1)."),
        "h0 by layer": (
            "The initial states are taken from the wrong rows of h0: layer l, direction d "
            "starts from h0[l * D + d]."),
    },
    "variants": {
        "torch placement": (
            "This is torch's GRU, the reset placement of arXiv 1406.1078 v1: in the EMNLP "
            "2014 form (v3) asked for here, the reset gate multiplies h_prev before the "
            "product with W_hn, not the result of the product."),
        "other convention": (
            "The update gate is used the other way round: in this course's convention z = 1 "
            "keeps the previous state."),
        "f flipped": "The forget gate is used the other way round: h' = (1 - f) * h_prev + f * n.",
        "no reset by f": (
            "The candidate ignores the gate: in the MGU, f also plays the reset gate, scaling"
            " h_prev inside the candidate's recurrent product."),
        "reset after product": (
            "f scales the result of the recurrent product; in the MGU it scales h_prev before"
            " the product with W_hn."),
        "o sees c_prev": "The output gate peeks at the previous cell state: it should see the new one, c'.",
        "no peepholes": (
            "The peephole terms are missing: add w_ci * c to i, w_cf * c to f and w_co * c' "
            "to o (element-wise, they are vectors)."),
        "order ifog": (
            "The gate blocks look read in the order i, f, o, g: the layout is torch's i, f, "
            "g, o."),
        "peepholes of i and f swapped": (
            "The peepholes of i and f are exchanged: w_ci belongs to the input gate, w_cf to "
            "the forget gate."),
    },
    "layer": {
        "time reversed": "Time runs backwards: the loop must go from t = 0 to T - 1.",
        "shifted": (
            "The outputs are shifted by one step: store the state after the update at time t,"
            " not the one before it."),
        "not carried": (
            "The state is not carried: each step must use the state the previous step "
            "returned, not the initial one."),
        "final first": "The final state is wrong: return the state after the last step.",
        "final init": (
            "The final state is wrong: return the state after the last step, not the initial "
            "one."),
        "aliased": (
            "Every output equals the last state: you store the same array object at each step"
            " and then change it in place; store a new array each step."),
    },
    "speed": {
        "scrambled projection": _SCRAMBLED_PROJECTION.format(width="3H"),
    },
}

CACHE_ORDER = ("The cache looks unpacked in another order than it is packed: it is {cache}, "
               "in that order, as {fn} returns it.")

#: a step's mistakes: the layer's texts where the bug is the same, and the bugs of one step
MISTAKE["gru_step_backward"] = {
    **{k: MISTAKE["gru_backward"][k] for k in ("sigmoid derivative", "tanh derivative",
                                              "batch mean", "reset path", "z path", "dz sign")},
    "dh_prev without W_hh": (
        "dh_prev has only the direct path through z: h_prev also enters every gate's "
        "recurrent product, so add the gradients of the recurrent pre-activations times W_hh."),
    "cache order r z": CACHE_ORDER.format(cache="(x_t, h_prev, r, z, n, gh_n)",
                                          fn="gru_step_forward"),
}
MISTAKE["lstm_step_backward"] = {
    **{k: MISTAKE["lstm_backward"][k] for k in ("sigmoid derivative", "tanh derivative", "h to c",
                                               "df with new c", "do without tanh", "batch mean")},
    "no cell carry": (
        "dc_next is left out: the cell's gradient is dc_next (from the step after) plus what "
        "comes from h_next through tanh(c_next)."),
    "dc_prev without f": (
        "dc_prev is missing the forget gate's factor: c_next = f * c_prev + i * g, so the "
        "cell's gradient reaches c_prev multiplied by f."),
    "cache order g o": CACHE_ORDER.format(cache="(x_t, h_prev, c_prev, i, f, g, o, tanh_c)",
                                          fn="lstm_step_forward"),
    "cache order h c": CACHE_ORDER.format(cache="(x_t, h_prev, c_prev, i, f, g, o, tanh_c)",
                                          fn="lstm_step_forward"),
}


# unit 07: lstm_forward_fast
LSTM_FAST_SCRAMBLED_PROJECTION = _SCRAMBLED_PROJECTION.format(width="4H")

# ---------------------------------------------------------------- autograder (speed, links)
SPEED_WRONG_WHILE_TIMED = (
    "while being timed (each timed call on a new X, compared with the per-step loop's "
    "answer) your function returned {what}; a function must give the right answer on "
    "every call to pass the speed check.")
SPEED_WRONG_WHILE_TIMED_HINT = (
    "Compute the answer from the arguments on every call: no answers kept from earlier "
    "calls, and no other behaviour when timed.")
LINKED_NOTEBOOK = (
    "not graded: this notebook is a link to another file ({what}); submit your own "
    "notebook as a plain file.")

# ---------------------------------------------------------------- comparison cells (guard.py)
GUARD_STUB = ("`{name}` is not written yet (it raised NotImplementedError): fill in its cell "
              "above, run its grader cell, then run this cell again.")
GUARD_DIFFERS = ("`{name}` does not agree yet: {why}. Its grader cell above says which check "
                 "fails and where to look.")
GUARD_RAISED = ("`{name}` raised {error}. Its grader cell above says which check fails "
                "and where to look.")

# ---------------------------------------------------------------- questions (questions.py)
QUESTION_KIND = {"number": "a number", "shape": "a shape, a tuple of ints such as (2, 3)",
                 "choice": "one letter"}
QUESTION_UNANSWERED = "not answered yet: replace `...` with your answer ({what})."
QUESTION_WRONG_TYPE = "expected {what}, got a {got}."
QUESTION_WRONG_RANK = "your shape has {n} axes; count the axes again."
QUESTION_CHOICE = "answer with one of {options}."
QUESTION_WRONG = "not right yet: think again before you run the code below."
