// Which readers are in flight, so a file a manifest no longer lists is deleted only once every
// reader that began before the change has finished (each holds a lease from its snapshot to
// its end). A reader abandoned without finishing keeps its files until the table closes.

export class ReadLeases {
  private nextId = 0;
  private readonly held = new Set<number>();
  /** Callbacks waiting for the leases held when they were queued. */
  private waiting: Array<{ ids: Set<number>; fn: () => void }> = [];

  /** Take a lease; the returned function ends it (calling it again does nothing). */
  acquire(): () => void {
    const id = this.nextId++;
    this.held.add(id);
    return () => {
      if (!this.held.delete(id)) return;
      const ready = this.waiting.filter((w) => { w.ids.delete(id); return w.ids.size === 0; });
      if (ready.length === 0) return;
      this.waiting = this.waiting.filter((w) => w.ids.size > 0);
      for (const w of ready) w.fn();
    };
  }

  /** Run `fn` once every lease held now has ended (at once when none is). */
  afterCurrent(fn: () => void): void {
    if (this.held.size === 0) { fn(); return; }
    this.waiting.push({ ids: new Set(this.held), fn });
  }

  get inFlight(): number { return this.held.size; }
}
