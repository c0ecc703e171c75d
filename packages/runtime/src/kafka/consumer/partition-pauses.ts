// Pausing a partition for a hold, and resuming it: after a delay, or when the
// circuits guarding the handler's downstream are no longer open.
import type { Logger } from '../../logging/logger.js';
import type { Circuit, CircuitState } from '../../resilience/circuit-breaker.js';
import type { Hold } from './decide-outcome.js';
import type { PartitionBatch } from './group-client.js';

/** When a paused partition whose circuit is unknown to us (or refuses all but a trial call) tries again. */
const UNWATCHED_CIRCUIT_RETRY_MS = 1_000;

export class PartitionPauses {
  /** Resume functions of partitions paused for an open circuit. */
  private readonly circuitResumes = new Set<() => void>();

  constructor(
    private readonly circuits: readonly Circuit[],
    private readonly logger: Logger,
  ) {}

  anyCircuitOpen(): boolean {
    return this.circuits.some((c) => c.state === 'open');
  }

  /**
   * Follows the circuits' states: partitions paused for them resume when one
   * half-opens or closes. Returns the unsubscribe functions.
   */
  watchCircuits(onState: (circuit: Circuit, state: CircuitState) => void): Array<() => void> {
    return this.circuits.map((circuit) =>
      circuit.onStateChange((state) => {
        onState(circuit, state);
        if (state !== 'open') this.resumeFromCircuit();
      }),
    );
  }

  /** Pauses the batch's partition for `hold`; unresolved messages are fetched again on resume. Stopping pauses nothing. */
  hold(hold: Hold, batch: Pick<PartitionBatch, 'pause'>): void {
    if (hold.reason === 'stopping') return;
    const resume = batch.pause();
    let resumed = false;
    const once = (): void => {
      if (resumed) return;
      resumed = true;
      this.circuitResumes.delete(once);
      resume();
    };
    if (hold.reason === 'delay') {
      setTimeout(once, Math.max(0, (hold.untilMs ?? Date.now()) - Date.now())).unref();
      return;
    }
    if (this.anyCircuitOpen()) {
      if (this.circuitResumes.size === 0) this.logger.warn('downstream circuit open: pausing consumption');
      this.circuitResumes.add(once);
    } else {
      setTimeout(once, UNWATCHED_CIRCUIT_RETRY_MS).unref();
    }
  }

  private resumeFromCircuit(): void {
    if (this.circuitResumes.size === 0) return;
    this.logger.info('downstream circuit no longer open: resuming consumption', { partitions: this.circuitResumes.size });
    for (const resume of [...this.circuitResumes]) resume();
  }
}
