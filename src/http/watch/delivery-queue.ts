/**
 * A bounded first-in, first-out queue with one worker: a target's notifications go out one at
 * a time and in order, so a receiver never sees "resolved" before the "blocked" it resolves.
 * When the queue is full the oldest waiting job is dropped: of two pending changes, the newer
 * one describes the cluster as it is now.
 */
export class DeliveryQueue<T> {
  private readonly waiting: T[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly limit: number,
    private readonly run: (job: T) => Promise<void>,
    private readonly onDrop: (job: T) => void,
    private readonly onError: (job: T, error: unknown) => void,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a delivery queue holds at least 1 job, not ${limit}`);
  }

  push(job: T): void {
    if (this.waiting.length >= this.limit) this.onDrop(this.waiting.shift() as T);
    this.waiting.push(job);
    this.running ??= this.work();
  }

  /** Takes out the jobs not started yet; they will not run. */
  clear(): T[] {
    return this.waiting.splice(0);
  }

  /** Resolves when the worker has nothing left to do. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  private async work(): Promise<void> {
    for (let job = this.waiting.shift(); job !== undefined; job = this.waiting.shift()) {
      try {
        await this.run(job);
      } catch (e) {
        this.onError(job, e);
      }
    }
    this.running = undefined;
  }
}
