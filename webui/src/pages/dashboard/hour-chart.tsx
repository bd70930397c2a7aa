// Questions and blocks hour by hour: a uPlot chart (loaded only when this page opens, so no other
// page pays for it) for the eye, and the same numbers as a table for a screen reader or a printout.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DashboardHour } from '../../../../firmware/admin/api/dashboard-schema.ts';
import { DataTable } from '../../components/data-table.tsx';

const number = new Intl.NumberFormat('en-GB');

export function hourLabel(iso: string, timezone: string, withDay: boolean): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', ...(withDay ? { weekday: 'short', day: 'numeric' } : {}) });
}

export function HourChart({ hours, timezone, withDay }: { hours: readonly DashboardHour[]; timezone: string; withDay: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let chart: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let observer: ResizeObserver | undefined;
    let gone = false;
    void (async () => {
      try {
        const { default: UPlot } = await import('uplot');
        await import('uplot/dist/uPlot.min.css');
        const el = box.current;
        if (gone || el === null) return;
        const size = () => ({ width: Math.max(280, el.clientWidth), height: el.clientWidth < 500 ? 200 : 260 });
        const xs = hours.map((h) => Date.parse(h.hour) / 1000);
        chart = new UPlot({
          ...size(),
          tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), timezone),
          scales: { x: { time: true } },
          // The school's clock, 24-hour, as everything else on the page (uPlot's default is 12-hour).
          axes: [
            { stroke: '#444', values: (_u: unknown, splits: number[]) => splits.map((ts) => hourLabel(new Date(ts * 1000).toISOString(), timezone, withDay)) },
            { stroke: '#444', values: (_u: unknown, vals: number[]) => vals.map((v) => number.format(v)) },
          ],
          series: [
            { label: 'Hour', value: (_u: unknown, ts: number | null) => (ts === null ? '–' : hourLabel(new Date(ts * 1000).toISOString(), timezone, withDay)) },
            { label: 'Questions', stroke: '#1d4f91', width: 2, fill: 'rgba(29,79,145,0.08)' },
            { label: 'Blocked', stroke: '#b3261e', width: 2, dash: [6, 3] },
          ],
        }, [xs, hours.map((h) => h.questions), hours.map((h) => h.blocked)], el);
        observer = new ResizeObserver(() => chart?.setSize(size()));
        observer.observe(el);
      } catch (e) {
        if (!gone) setFailed(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      gone = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [hours, timezone, withDay]);
  const busiest = hours.reduce((m, h) => (h.questions > m.questions ? h : m), hours[0] ?? { hour: '', questions: 0, blocked: 0 });
  return (
    <figure class="chart-figure">
      {/* The chart is for the eye; the table below carries the same numbers for everyone else. */}
      <div ref={box} class="hour-chart no-print" aria-hidden="true" />
      {failed !== null ? <p class="muted">The chart could not be drawn ({failed}); the table below has the numbers.</p> : null}
      <figcaption class="muted">
        Questions (solid line) and blocked questions (dashed) per hour{busiest && busiest.questions > 0 ? `; the busiest hour was ${hourLabel(busiest.hour, timezone, withDay)} with ${number.format(busiest.questions)} questions` : ''}.
      </figcaption>
      <details class="chart-table">
        <summary>Show these numbers as a table</summary>
        <DataTable
          id="hours"
          caption="Questions and blocked questions per hour"
          rows={hours}
          rowKey={(h) => h.hour}
          empty="No hours in this span."
          columns={[
            { key: 'hour', label: 'Hour starting', value: (h) => h.hour, render: (h) => hourLabel(h.hour, timezone, withDay) },
            { key: 'questions', label: 'Questions', numeric: true, value: (h) => h.questions, render: (h) => number.format(h.questions) },
            { key: 'blocked', label: 'Blocked', numeric: true, value: (h) => h.blocked, render: (h) => number.format(h.blocked) },
          ]}
        />
      </details>
    </figure>
  );
}
