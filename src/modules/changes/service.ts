import type { Actor } from "../../shared/actor.js";
import type { FeedPosition, FeedRow } from "../registry/feed-sql.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { ChangeData, ChangesQuery, FeedEntity } from "./schemas.js";

/** A module that can list its rows changed after a position, scoped and presented (its service). */
export interface ChangeSource {
  changedSince(actor: Actor, after: FeedPosition, limit: number): Promise<FeedRow<ChangeData>[]>;
}

/**
 * The change feed for other platforms: rows of one entity in (updated_at, id) order, soft-deleted
 * rows and merged org units included, so a reader that keeps the cursor mirrors the registry.
 * Each owning module applies its own permission and the reader's scope.
 */
export class ChangeFeedService {
  constructor(private readonly sources: Record<FeedEntity, ChangeSource>) {}

  async list(actor: Actor, q: ChangesQuery) {
    const after: FeedPosition = q.cursor
      ? decodeCursor(q.cursor)
      : q.updatedSince
        ? { since: q.updatedSince }
        : null;
    const rows = await this.sources[q.entity].changedSince(actor, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        entity: q.entity,
        key: r.key,
        updatedAt: r.updatedAt,
        deleted: r.deleted,
        mergedInto: r.mergedInto,
        data: r.data,
      })),
      nextCursor: last ? encodeCursor(last.updatedAt, last.id) : (q.cursor ?? null),
      hasMore: rows.length > q.limit,
    };
  }
}
