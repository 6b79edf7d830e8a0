/**
 * Where the demo city's extra data stands (src/demo/extras.ts). `npm start` loads the core city,
 * starts listening, and then loads the capabilities' demo extras in the background; /api/health
 * reports this so that the web app shows "示范数据载入中" until they are in, and the e2e set-up
 * waits for "ready". Each extra is one transaction with its marker: a crash or a stop half-way
 * leaves nothing of that extra, and the next start loads it again.
 */
export type DemoState = "off" | "loading" | "ready" | "failed";

export const demoStatus: { state: DemoState } = { state: "off" };
