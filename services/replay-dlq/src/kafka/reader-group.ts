/** Prefix of the throwaway groups this service reads ranges with (`<prefix>-<uuid>`, no commits, deleted after each read). */
export const READER_GROUP_PREFIX = 'odx-replay-dlq-reader';
