/**
 * Progress for long runs: one line rewritten in place on a terminal, plain lines otherwise (CI
 * logs, pipes). Goes to stderr so that stdout stays clean for --json.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly started = performance.now();
  private done = 0;
  private current = '';

  constructor(
    private total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = !!out.isTTY && process.env.CI === undefined;
  }

  private left(): string {
    if (this.done === 0) return '';
    const perTrial = (performance.now() - this.started) / this.done;
    const s = Math.round((perTrial * (this.total - this.done)) / 1000);
    return s >= 60 ? `, about ${Math.round(s / 60)} min left` : `, about ${s} s left`;
  }

  /** One more trial to run than planned (the rerun of an invalid trial). */
  addTrial(): void {
    this.total++;
  }

  trial(n: number, label: string): void {
    this.current = `[${n}/${this.total}] ${label}`;
    if (!this.tty) this.out.write(`${this.current}${this.left()}\n`);
    else this.render('starting');
  }

  phase(what: string): void {
    if (this.tty) this.render(what);
  }

  private render(what: string): void {
    this.out.write(`\r\x1b[2K${this.current}: ${what}${this.left()}`);
  }

  trialDone(status: string): void {
    this.done++;
    if (this.tty) this.out.write(`\r\x1b[2K${this.current}: ${status}\n`);
    else if (status !== 'ok') this.out.write(`  ${status}\n`);
  }

  line(text: string): void {
    this.out.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
