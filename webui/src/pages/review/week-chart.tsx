// A small bar chart of one number per week (blocked questions, alerts), the reviewed week marked:
// plain SVG, so it prints as sharply as the text and needs no chart library. For the eye only:
// the trend table beside it carries the same numbers for a screen reader.
const number = new Intl.NumberFormat('en-GB');

export interface WeekBar {
  week: string;
  value: number;
}

const shortWeek = (week: string): string => new Date(`${week}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export function WeekChart({ title, bars, current }: { title: string; bars: readonly WeekBar[]; current: string }) {
  const width = 360;
  const height = 150;
  const top = 18;
  const bottom = 22;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const bar = slot * 0.62;
  return (
    <figure class="week-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="presentation" aria-hidden="true" focusable="false">
        <line x1="0" y1={height - bottom} x2={width} y2={height - bottom} class="axis" />
        {bars.map((b, i) => {
          const h = ((height - top - bottom) * b.value) / max;
          const x = i * slot + (slot - bar) / 2;
          const y = height - bottom - h;
          return (
            <g key={b.week}>
              <rect x={x} y={y} width={bar} height={Math.max(h, b.value > 0 ? 1 : 0)} class={b.week === current ? 'bar bar-current' : 'bar'} />
              <text x={x + bar / 2} y={y - 4} class="bar-value">{number.format(b.value)}</text>
              <text x={x + bar / 2} y={height - 6} class="bar-label">{shortWeek(b.week)}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
