import { ProgressBar } from './progress-bar';

function output(isTTY: boolean) {
  const written: string[] = [];
  return { out: { isTTY, write: (text: string) => written.push(text) }, written };
}

describe('ProgressBar', () => {
  it('redraws one line with \\r on a terminal, and ends it before the next phase', () => {
    const { out, written } = output(true);
    const bar = new ProgressBar(out);
    bar.update({ phase: 'rewrap', done: 0, total: 4 });
    bar.update({ phase: 'rewrap', done: 2, total: 4 });
    bar.update({ phase: 'reencrypt', done: 0, total: 10 });
    bar.end();
    expect(written).toHaveLength(5);
    expect(written[1]).toMatch(/^\rRe-wrapping data keys \[#{15}-{15}\] 50% 2\/4/);
    expect(written[2]).toBe('\n');
    expect(written[3]).toMatch(/^\rRe-encrypting configurations .* 0% 0\/10/);
    expect(written[4]).toBe('\n');
  });

  it('writes a line per 10 % when not a terminal', () => {
    const { out, written } = output(false);
    const bar = new ProgressBar(out);
    for (let done = 0; done <= 1000; done += 25) {
      bar.update({ phase: 'reencrypt', done, total: 1000 });
    }
    bar.end();
    expect(written).toHaveLength(11);
    expect(written.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(written.at(-1)).toMatch(/100% 1000\/1000\n$/);
  });
});
