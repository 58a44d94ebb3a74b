// The harness's own deadlines, in one place. Each is a ceiling, not an expected duration: the wait
// ends as soon as the peer signals (its ready line, its answer) or exits, so a generous ceiling
// costs nothing on a quiet machine, and on a loaded 2-core runner (a JVM start took over 10 s at
// load 30, measured) it keeps our clock from becoming a verdict. Running out of one is an `error`
// of the case (the harness could not play it), never the stack's `fail`.

/** A peer printing its ready line (or exiting, which ends the wait at once). */
export const readinessCeilingMs = 60_000;

/** A control operation on a running peer: a reload, an admin or runtime API call, a version query. */
export const controlCeilingMs = 30_000;

/** One side waiting for the other's decision in a handshake (or the answer after it). */
export const decisionCeilingMs = 20_000;
