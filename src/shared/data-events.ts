/**
 * In-process notice that data which indicators read has changed, so that cached figures are dropped
 * at once (a change shows in the cockpit within a second; there is no nightly analytics run).
 *
 * Every write path calls `dataEvents.changed(topic)` after its transaction commits. Readers either
 * subscribe with `on` or compare `version(topic)` with the version their cached figure was computed at.
 * One process only: with several API processes behind a load balancer the same notice must travel
 * through PostgreSQL LISTEN/NOTIFY (docs/operations.md, scale-out).
 */
export type DataTopic = "registry" | "people" | "forms" | "health" | "cases" | "safety" | "plan";

/**
 * What a notice may say about its change. `schoolIds`: the change touched people of these schools
 * only (a transfer names both schools), so a reader may re-read just those; a notice without it may
 * have touched anything (an import, a merger moving a school's people).
 */
export interface ChangeDetail {
  schoolIds?: readonly number[];
}

type Listener = (topic: DataTopic, detail?: ChangeDetail) => void;

export class DataEvents {
  private readonly versions = new Map<DataTopic, number>();
  private readonly listeners = new Set<Listener>();

  changed(topic: DataTopic, detail?: ChangeDetail): void {
    this.versions.set(topic, (this.versions.get(topic) ?? 0) + 1);
    for (const l of this.listeners) l(topic, detail);
  }

  version(topic: DataTopic): number {
    return this.versions.get(topic) ?? 0;
  }

  /** Subscribes; returns the function that unsubscribes. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The process's one instance. */
export const dataEvents = new DataEvents();
