import type { LaneTarget } from '../delivery/lane.js';
import { compileFilter, type FilterableEvent } from './subscription-filter.js';
import type { SubscriptionDoc, SubscriptionStatus } from './subscription.js';
import type { SubscriptionStore } from './subscription-store.js';

export interface ActiveSubscription {
  id: string;
  doc: SubscriptionDoc;
  matches: (event: FilterableEvent) => boolean;
}

/**
 * Subscriptions as the consumer and the lanes see them: held in memory, read
 * again every `refreshMs` (changes made through another instance arrive within
 * that) and at once after a change made through this one.
 */
export class SubscriptionRegistry {
  private byId = new Map<string, ActiveSubscription>();
  private activeList: ActiveSubscription[] = [];
  private loaded: Promise<void> | undefined;

  constructor(private readonly store: SubscriptionStore) {}

  /** Reads every subscription again. */
  refresh(): Promise<void> {
    this.loaded = (async () => {
      const docs = await this.store.list();
      const byId = new Map<string, ActiveSubscription>();
      for (const doc of docs) byId.set(doc._id, { id: doc._id, doc, matches: compileFilter(doc) });
      this.byId = byId;
      this.activeList = [...byId.values()].filter((s) => s.doc.status === 'active');
    })();
    return this.loaded;
  }

  /** Loaded once at least (the consumer waits for it before its first event). */
  ready(): Promise<void> {
    return this.loaded ?? this.refresh();
  }

  active(): readonly ActiveSubscription[] {
    return this.activeList;
  }

  /** Active subscriptions whose filter the event passes. */
  matching(event: FilterableEvent): ActiveSubscription[] {
    return this.activeList.filter((s) => s.matches(event));
  }

  get(id: string): SubscriptionDoc | undefined {
    return this.byId.get(id)?.doc;
  }

  /** URL and secrets of an active subscription, read at each attempt. */
  target(id: string): LaneTarget | undefined {
    const s = this.byId.get(id);
    if (!s || s.doc.status !== 'active') return undefined;
    return { url: s.doc.url, secrets: s.doc.secrets.map((x) => x.secret), activeSince: s.doc.activeSince };
  }

  async setStatus(id: string, status: SubscriptionStatus, reason: string | null): Promise<boolean> {
    const changed = await this.store.setStatus(id, status, reason);
    await this.refresh();
    return changed;
  }
}
