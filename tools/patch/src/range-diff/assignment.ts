/**
 * The linear assignment problem, solved with the shortest-augmenting-path method of
 * Jonker and Volgenant ("A shortest augmenting path algorithm for dense and sparse linear
 * assignment problems", Computing 38, 1987) — the method `git range-diff` uses. Following
 * the same phases in the same order matters beyond optimality: when several assignments
 * cost the same, the pairs we choose are the ones git chooses.
 *
 * `cost[c + columns * r]` is the cost of giving column `c` to row `r`. The result maps each
 * column to its row and each row to its column.
 */
export function computeAssignment(
  columns: number,
  rows: number,
  cost: Int32Array,
): { columnToRow: Int32Array; rowToColumn: Int32Array } {
  const columnToRow = new Int32Array(columns).fill(-1);
  const rowToColumn = new Int32Array(rows).fill(-1);
  if (columns < 2) {
    columnToRow.fill(0);
    rowToColumn.fill(0);
    return { columnToRow, rowToColumn };
  }
  const at = (c: number, r: number): number => cost[c + columns * r]!;
  const v = new Int32Array(columns);

  // Column reduction: each column goes to its cheapest row if that row is still free;
  // a row claimed twice is marked (-2 - column) so the next phase can tell.
  for (let c = columns - 1; c >= 0; c--) {
    let best = 0;
    for (let r = 1; r < rows; r++) if (at(c, best) > at(c, r)) best = r;
    v[c] = at(c, best);
    const claimed = rowToColumn[best]!;
    if (claimed === -1) {
      rowToColumn[best] = c;
      columnToRow[c] = best;
    } else {
      if (claimed >= 0) rowToColumn[best] = -2 - claimed;
      columnToRow[c] = -1;
    }
  }

  // Reduction transfer: rows assigned once pass their slack to their column's price.
  const free: number[] = [];
  for (let r = 0; r < rows; r++) {
    const c1 = rowToColumn[r]!;
    if (c1 === -1) {
      free.push(r);
    } else if (c1 < -1) {
      rowToColumn[r] = -2 - c1;
    } else {
      const first = c1 === 0 ? 1 : 0;
      let min = at(first, r) - v[first]!;
      for (let c = 1; c < columns; c++) {
        if (c !== c1 && min > at(c, r) - v[c]!) min = at(c, r) - v[c]!;
      }
      v[c1] = v[c1]! - min;
    }
  }
  if (free.length === (columns < rows ? rows - columns : 0)) {
    return { columnToRow, rowToColumn };
  }

  // Augmenting row reduction, twice: each free row takes its cheapest column, displacing
  // that column's row back onto the free list (first, if prices moved, so it retries now).
  let freeCount = free.length;
  for (let phase = 0; phase < 2; phase++) {
    const pending = freeCount;
    freeCount = 0;
    let k = 0;
    while (k < pending) {
      const r = free[k++]!;
      let c1 = 0;
      let u1 = at(0, r) - v[0]!;
      let c2 = -1;
      let u2 = Number.MAX_SAFE_INTEGER;
      for (let c = 1; c < columns; c++) {
        const h = at(c, r) - v[c]!;
        if (u2 > h) {
          if (u1 < h) {
            u2 = h;
            c2 = c;
          } else {
            u2 = u1;
            u1 = h;
            c2 = c1;
            c1 = c;
          }
        }
      }
      if (c2 < 0) {
        c2 = c1;
        u2 = u1;
      }
      let displaced = columnToRow[c1]!;
      if (u1 < u2) {
        v[c1] = v[c1]! - (u2 - u1);
      } else if (displaced >= 0) {
        c1 = c2;
        displaced = columnToRow[c1]!;
      }
      if (displaced >= 0) {
        if (u1 < u2) free[--k] = displaced;
        else free[freeCount++] = displaced;
      }
      rowToColumn[r] = c1;
      columnToRow[c1] = r;
    }
  }

  // Augmentation: a Dijkstra-like search from each remaining free row to a free column.
  const d = new Int32Array(columns);
  const pred = new Int32Array(columns);
  const col = new Int32Array(columns);
  for (let f = 0; f < freeCount; f++) {
    const start = free[f]!;
    for (let c = 0; c < columns; c++) {
      d[c] = at(c, start) - v[c]!;
      pred[c] = start;
      col[c] = c;
    }
    let low = 0;
    let up = 0;
    let last = 0;
    let min = 0;
    // As in git, the column the path ends at is the last one looked at: when the check
    // below finds a free column among the minima, that is the one the scan left in `j`.
    let j = -1;
    search: for (;;) {
      last = low;
      min = d[col[up++]!]!;
      for (let k = up; k < columns; k++) {
        j = col[k]!;
        const h = d[j]!;
        if (h <= min) {
          if (h < min) {
            up = low;
            min = h;
          }
          col[k] = col[up]!;
          col[up++] = j;
        }
      }
      for (let k = low; k < up; k++) {
        if (columnToRow[col[k]!] === -1) break search;
      }
      do {
        const c1 = col[low++]!;
        const r = columnToRow[c1]!;
        const u1 = at(c1, r) - v[c1]! - min;
        for (let k = up; k < columns; k++) {
          j = col[k]!;
          const h = at(j, r) - v[j]! - u1;
          if (h < d[j]!) {
            d[j] = h;
            pred[j] = r;
            if (h === min) {
              if (columnToRow[j] === -1) break search;
              col[k] = col[up]!;
              col[up++] = j;
            }
          }
        }
      } while (low !== up);
    }
    for (let k = 0; k < last; k++) {
      const c = col[k]!;
      v[c] = v[c]! + d[c]! - min;
    }
    if (j < 0) throw new Error(`linear assignment: negative column ${j}`);
    let r: number;
    do {
      r = pred[j]!;
      columnToRow[j] = r;
      const previous = rowToColumn[r]!;
      rowToColumn[r] = j;
      j = previous;
    } while (r !== start);
  }
  return { columnToRow, rowToColumn };
}
