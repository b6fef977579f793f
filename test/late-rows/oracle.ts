// The plain-JS oracle of a table with an outOfOrderWindow, written from DESIGN.md "Public API,
// part 2": a row older than newest − window is refused (newest: every row accepted before it,
// earlier rows of the same batch included); a batch with one refused row is refused whole;
// the table reads as the accepted rows stably sorted by time (equal times: append order).
export interface LateRow { t: bigint; id: bigint; sym: string; x: number; ok: boolean }

/** The table the late-row tests write LateRows into. */
export const lateRowsSchema = {
  name: 'lr', timeColumn: 't',
  columns: [{ name: 't', type: 'int64' }, { name: 'id', type: 'int64' }, { name: 'sym', type: 'string' }, { name: 'x', type: 'float64' }, { name: 'ok', type: 'bool' }],
} as const;

export class LateOracle {
  /** Accepted rows in append order. */
  readonly appended: LateRow[] = [];
  newest: bigint | null = null;
  /**
   * The newest row when flush(), close() without a WAL or deleteBefore last sealed every row: a
   * row older than it takes sealed blocks back into the active block, which may then be full.
   */
  sealedPast: bigint | null = null;

  constructor(readonly window: bigint) {}

  /** DESIGN.md: a row is refused only when older than newest − window, whatever was sealed. */
  oldestAllowed(newest: bigint | null): bigint | null {
    return newest === null ? null : newest - this.window;
  }

  /** The index of the first row of `rows` the table must refuse, or -1. */
  firstRefused(rows: readonly LateRow[]): number {
    let newest = this.newest;
    for (let i = 0; i < rows.length; i++) {
      const limit = this.oldestAllowed(newest);
      if (limit !== null && rows[i].t < limit) return i;
      if (newest === null || rows[i].t > newest) newest = rows[i].t;
    }
    return -1;
  }

  accept(rows: readonly LateRow[]): void {
    for (const r of rows) {
      this.appended.push(r);
      if (this.newest === null || r.t > this.newest) this.newest = r.t;
    }
  }

  /** Everything sealed (rows older than the newest are still taken). */
  sealAll(): void { this.sealedPast = this.newest; }

  /** deleteBefore(cutoff): rows older than the cutoff go (the newest stays what it was); every row is sealed. */
  deleteBefore(cutoff: bigint): number {
    const before = this.appended.length;
    const kept = this.appended.filter((r) => r.t >= cutoff);
    this.appended.splice(0, this.appended.length, ...kept);
    this.sealAll();
    return before - kept.length;
  }

  /** The table's rows in table order. */
  tableOrder(): LateRow[] {
    return this.appended.map((r, i) => ({ r, i })).sort((a, b) => (a.r.t < b.r.t ? -1 : a.r.t > b.r.t ? 1 : a.i - b.i)).map((e) => e.r);
  }

  /**
   * Whether an "active block is full" refusal of rows[at] (after rows[0..at) of its batch) is
   * legitimate: the active block holds `capacity` rows, none of them older than the seal limit,
   * so at least that many accepted rows are newer than it.
   */
  mayBeFull(rows: readonly LateRow[], capacity: number): boolean {
    // Rows taken back from sealed blocks count against the bound too (whole blocks).
    const past = this.sealedPast;
    if (past !== null && rows.some((r) => r.t < past)) return true;
    let newest = this.newest;
    for (let at = 0; at < rows.length; at++) {
      const t = rows[at].t;
      const top = newest === null || t > newest ? t : newest;
      const limit = top - this.window;
      const younger = this.appended.filter((r) => r.t > limit).length + rows.slice(0, at).filter((r) => r.t > limit).length;
      if (younger >= capacity) return true;
      newest = top;
    }
    return false;
  }
}
