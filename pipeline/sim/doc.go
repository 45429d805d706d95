// Package sim is an OpenAI-compatible LLM server simulator that behaves like
// vLLM or SGLang, so the whole benchmark pipeline runs without a GPU.
//
// A Server accepts each framework's own command line (ParseArgs), serves
// /health, /v1/models, /v1/completions, /v1/chat/completions (streaming and
// not) and /metrics with that framework's response shapes and Prometheus
// metric names, and generates deterministic text on a latency model.
//
// # Token counting
//
// Token-id prompts count exactly, one token per id. A text prompt counts
// ceil(len(word)/4) tokens for each whitespace-separated word, so "Hello
// world" is 2 tokens and a 9-byte word is 3. A chat request adds template
// tokens the way a real chat template does: 5 per message plus 3 for the
// assistant turn, so one 100-token user message gives 108 prompt tokens.
//
// # Output
//
// The generated text is one pseudo-word per token, drawn from a random
// source seeded by the simulator seed and the request's prompt, so the same
// request always gets the same text (like greedy decoding). With ignore_eos
// the output has exactly max_tokens tokens (finish_reason "length").
// Otherwise its length is drawn from 1 to 2*max_tokens from the same source:
// a draw below max_tokens ends with finish_reason "stop", any other draw is
// cut at max_tokens with finish_reason "length". min_tokens raises the draw.
//
// # Latency model
//
// A request waits in a FIFO queue until one of the max batch slots
// (--max-num-seqs for vLLM, --max-running-requests for SGLang) is free, as in
// continuous batching. From admission, its first token comes after the
// prefill time: 5 ms + 20 µs × params × input tokens, with params the model
// size in billions. Each further token comes after the inter-token latency:
// (2 ms + 3 ms × params) × (1 + 0.01 × (running requests − 1)), computed
// again for every token. --sim-ttft and --sim-itl replace the two terms with
// exact values. The time a request waited in the queue adds to its TTFT.
//
// Token writes are scheduled against absolute deadlines (admission + TTFT +
// the sum of the ITLs so far), never relative sleeps, so the schedule does
// not drift. On Linux the last 2 ms before a deadline wait on a timerfd,
// because Go runtime timers woke about 0.5 ms late in measurements on a
// 2-core VM. Each chunk is flushed as soon as it is written.
//
// # Faults
//
// Each request draws at most one fault from a random source seeded by
// --sim-seed, in arrival order: an HTTP 500 before streaming, an in-band
// error event mid-stream, a stall (no more bytes, connection kept open) or a
// disconnect (connection closed mid-stream without [DONE]). Mid-stream faults
// happen after at least one token.
//
// The server logs the configured fault rates when it starts serving and one
// INFO line per injected fault with the kind and the request id, at most one
// line per second per kind. Each line counts the faults of its kind left out
// since the previous one, and the server logs the totals per kind when it
// stops.
package sim
