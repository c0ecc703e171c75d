// Whether this member is a working member of its group, from what the client
// reported: joined at least once, heartbeats accepted lately, not crashed.

export class GroupMembership {
  private joinedOnce = false;
  /** Last sign of membership: a join or a heartbeat the coordinator accepted. */
  private lastBeatAt = 0;
  private crashError: Error | undefined;

  constructor(private readonly sessionTimeoutMs: number) {}

  joined(now = Date.now()): void {
    this.joinedOnce = true;
    this.lastBeatAt = now;
  }

  heartbeat(now = Date.now()): void {
    this.lastBeatAt = now;
  }

  /** Records a crash the client does not recover from; false when one was recorded already. */
  crashed(error: Error): boolean {
    if (this.crashError) return false;
    this.crashError = error;
    return true;
  }

  get hasCrashed(): boolean {
    return this.crashError !== undefined;
  }

  health(now = Date.now()): { ok: boolean; detail: string } {
    if (this.crashError) return { ok: false, detail: `consumer crashed: ${this.crashError.message}` };
    if (!this.joinedOnce) return { ok: false, detail: 'has not joined its group yet' };
    // The client heartbeats every few seconds, also while partitions are paused; silence for two session
    // timeouts means the coordinator has dropped this member.
    const silentMs = now - this.lastBeatAt;
    if (silentMs > 2 * this.sessionTimeoutMs)
      return { ok: false, detail: `no heartbeat accepted for ${Math.round(silentMs / 1000)} s: the member may have left its group` };
    return { ok: true, detail: 'member of its group' };
  }
}
