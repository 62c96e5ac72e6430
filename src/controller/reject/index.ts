// Answers to `reject` rules: the reply frames and the member's packet-in responder.
export { rejectReply, timeExceededReply } from './reply-frame.ts';
export { REJECT_RATE, RejectResponder, rejectAnswer } from './responder.ts';
export { TokenBucket } from './token-bucket.ts';
