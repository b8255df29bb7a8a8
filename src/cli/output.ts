/** How `pcw` writes: text for people, or one JSON value per line with `--json`. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {}

  /** `value` as JSON with `--json`, else `text`. */
  emit(value: unknown, text: string): void {
    this.stream.write(`${this.json ? JSON.stringify(value) : text}\n`);
  }

  /** Progress of a run being followed: a spinner line on a terminal, one plain line per step otherwise; nothing with `--json`. */
  progress(): Progress {
    if (this.json) return { step() {}, stop() {} };
    return this.stream.isTTY
      ? spinner(this.stream)
      : { step: (text) => void this.stream.write(`${text}\n`), stop() {} };
  }
}

export interface Progress {
  /** A new step: printed as its own line (it stays in the scroll-back). */
  step(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Each step as a line, and below it a spinner with the current step and the time spent in it. */
function spinner(stream: NodeJS.WriteStream): Progress {
  let current = '';
  let since = Date.now();
  let frame = 0;
  const draw = () => {
    frame = (frame + 1) % FRAMES.length;
    stream.write(`\r\x1b[2K${FRAMES[frame]} ${current} (${Math.round((Date.now() - since) / 1000)}s)`);
  };
  const timer = setInterval(draw, 120);
  return {
    step(text) {
      stream.write(`\r\x1b[2K${text}\n`);
      current = text;
      since = Date.now();
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}

/** Rows under a header, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [format(headers), ...rows.map(format)].join('\n');
}
