// Laying tiles out on a screen nobody scrolls: how many columns make the tiles' text largest.
//
// A tile's text is sized by the tile (CSS container query units): min(tile height × h, tile width × w)
// for the page's own h and w. So the best number of columns is the one whose tiles give that the
// largest value, whatever the screen's shape (16:9, 16:10, portrait) and however many tiles there are.

// columns: 1..count; size(columns, rows) -> [tileWidth, tileHeight]; h, w: the tile's text sizing.
export function bestColumns(count, size, h, w) {
  let best = 1;
  let top = -Infinity;
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const [tileW, tileH] = size(columns, Math.ceil(count / columns));
    const text = Math.min(tileH * h, tileW * w);
    if (text > top + 0.01) {
      best = columns;
      top = text;
    }
  }
  return best;
}

// A grid of equal tiles filling ``grid`` (a box of fixed size): sets its --cols and --rows for
// ``count`` tiles now and whenever the box changes size. ``gapRem``: the grid's gap, in rem.
export function fitGrid(grid, count, h, w, gapRem = 1) {
  const apply = () => {
    const gap = gapRem * parseFloat(getComputedStyle(document.documentElement).fontSize);
    const { clientWidth: width, clientHeight: height } = grid;
    const size = (columns, rows) => [(width - (columns - 1) * gap) / columns, (height - (rows - 1) * gap) / rows];
    const columns = bestColumns(count(), size, h, w);
    grid.style.setProperty("--cols", String(columns));
    grid.style.setProperty("--rows", String(Math.max(1, Math.ceil(count() / columns))));
  };
  new ResizeObserver(apply).observe(grid);
  apply();
  return apply;
}
