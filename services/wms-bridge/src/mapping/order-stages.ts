/** Fulfilment stages in the order a WMS order goes through them; `cancelled` ends it early. */
export const STAGES = ['picked', 'packed', 'shipped', 'cancelled'] as const;
export type Stage = (typeof STAGES)[number];
export type ProgressStage = Exclude<Stage, 'cancelled'>;

const RANK: Record<Stage, number> = { picked: 1, packed: 2, shipped: 3, cancelled: 4 };

export function stageOfWebhook(type: string): ProgressStage | undefined {
  return type === 'order.picked' ? 'picked' : type === 'order.packed' ? 'packed' : type === 'order.shipped' ? 'shipped' : undefined;
}

/**
 * Which stage events a snapshot at `stage` should publish, given the stages
 * already published for the order: nothing when the order is already at or
 * beyond `stage` (a late or repeated webhook never moves it backwards), else
 * every stage after the highest recorded one up to `stage`, so an order whose
 * `shipped` arrives before its `packed` still tells consumers picked, packed,
 * shipped in that order (the shipped snapshot holds what those events need).
 */
export function stagesToPublish(stage: ProgressStage, recorded: Iterable<Stage>): ProgressStage[] {
  let highest = 0;
  for (const s of recorded) highest = Math.max(highest, RANK[s]);
  if (highest >= RANK[stage]) return [];
  return (['picked', 'packed', 'shipped'] as const).filter((s) => RANK[s] > highest && RANK[s] <= RANK[stage]);
}
