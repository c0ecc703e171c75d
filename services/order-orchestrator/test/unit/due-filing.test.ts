// Filing due-index entries: a due time already past when its entry is written goes under a slot the scanner
// has not passed (issue 12: such an entry landed in a past slot and never fired).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MongoClient } from 'mongodb';
import type { IndexedDue } from '../../src/process/process-state.js';
import { DueIndex } from '../../src/timers/due-index.js';

const SLOT = 10_000;
// A client never connected: filing reads nothing (the cursor a scanner saw is covered on FerretDB, store-timers.test.ts).
const index = (): DueIndex => new DueIndex(new MongoClient('mongodb://127.0.0.1:1/').db('unused'), SLOT);
const due = (at: number): IndexedDue => ({ step: 'release', attempt: 0, at, partition: 3 });

describe('due-index filing', () => {
  it('files a due time of a later slot under its own slot, with its own time', () => {
    const now = 1_000 * SLOT + 2_500;
    const d = index().file(due(now + 60_000), now);
    assert.equal(d.slot, 1_006);
    assert.equal(index().entryTime(d), now + 60_000);
    // Due later in the current slot: the next one (a scan may be reading the current slot for the last time).
    const soon = index().file(due(now + 1_000), now);
    assert.equal(soon.slot, 1_001);
    assert.equal(index().entryTime(soon), 1_001 * SLOT);
  });

  it('files a past due time under the slot after the current one, with that slot start as its time', () => {
    const ix = index();
    const now = 1_000 * SLOT + 9_990;
    const d = ix.file(due(now - 3_600_000), now);
    assert.equal(d.slot, 1_001);
    assert.equal(d.at, now - 3_600_000, 'the process keeps its due time');
    assert.equal(ix.entryTime(d), 1_001 * SLOT);
    // The timer signal carries the entry's time (and no slot): it is the same entry, so the fold's removal finds it.
    const fromSignal: IndexedDue = { step: 'release', attempt: 0, at: ix.entryTime(d), partition: 3 };
    assert.ok(ix.sameEntry(fromSignal, d));
    assert.ok(!ix.sameEntry(due(d.at), d), 'the due time itself names another (never written) entry');
    // An entry stored before slots were kept is filed under the slot of its time.
    assert.equal(ix.slotFiled(due(now - 3_600_000)), 1_000 - 360);
  });
});
