/**
 * Why an attachment's bytes are refused (pure; the store maps them to AppError UNSUPPORTED_FILE).
 * The message is Chinese and shown to the uploader.
 */
export class MalformedFile extends Error {}
export class UnsupportedFile extends Error {}
/** An encrypted PDF: it cannot be read, so its metadata cannot be removed. */
export class EncryptedFile extends Error {}
