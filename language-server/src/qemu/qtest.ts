// A QEMU process driven through its qtest protocol (`-qtest stdio`): one text command per line,
// one `OK ...` / `FAIL ...` answer per command, in order (asynchronous `IRQ` lines are skipped).
// Commands are pipelined: writes are sent without waiting; reads wait for their answer. A QEMU
// that does not answer within `timeoutMs`, or exits, fails every pending command with the reason.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export class QtestError extends Error {}

interface Pending {
  line: string;
  resolve(v: string): void;
  reject(e: Error): void;
}

export class Qtest {
  private readonly p: ChildProcess;
  private readonly pending: Pending[] = [];
  private buf = '';
  private stderr = '';
  private dead?: string;
  private timer?: NodeJS.Timeout;
  private logOff = 0;

  constructor(binary: string, args: string[], private readonly timeoutMs: number, private readonly logPath?: string) {
    this.p = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.p.stdout!.setEncoding('utf8');
    this.p.stdout!.on('data', (d: string) => this.onData(d));
    this.p.stderr!.setEncoding('utf8');
    this.p.stderr!.on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.p.on('error', (e) => this.fail(`cannot start ${binary}: ${e.message}`));
    this.p.on('exit', (code, signal) => this.fail(`QEMU exited (${signal ?? `status ${code}`})${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    this.p.stdin!.on('error', () => undefined);
  }

  /** Sends one command; resolves with the text after `OK`. */
  cmd(line: string): Promise<string> {
    if (this.dead) return Promise.reject(new QtestError(this.dead));
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.p.stdin!.write(line + '\n');
      this.arm();
    });
  }

  /** Sends a command whose answer is not needed now (a failure still stops the run at the next wait). */
  send(line: string): void {
    this.cmd(line).catch(() => undefined);
  }

  async readl(a: bigint): Promise<bigint> { return BigInt(await this.cmd(`readl 0x${a.toString(16)}`)); }
  async readq(a: bigint): Promise<bigint> { return BigInt(await this.cmd(`readq 0x${a.toString(16)}`)); }
  writel(a: bigint, v: bigint): void { this.send(`writel 0x${a.toString(16)} 0x${(v & 0xffffffffn).toString(16)}`); }
  writeq(a: bigint, v: bigint): void { this.send(`writeq 0x${a.toString(16)} 0x${(v & 0xffffffffffffffffn).toString(16)}`); }

  write(a: bigint, v: bigint, width: 8 | 16 | 32 | 64): void {
    const op = { 8: 'writeb', 16: 'writew', 32: 'writel', 64: 'writeq' }[width];
    this.send(`${op} 0x${a.toString(16)} 0x${v.toString(16)}`);
  }

  async read(a: bigint, n: number): Promise<Uint8Array> {
    return Buffer.from(await this.cmd(`b64read 0x${a.toString(16)} 0x${n.toString(16)}`), 'base64');
  }

  writeBytes(a: bigint, data: Uint8Array): void {
    this.send(`b64write 0x${a.toString(16)} 0x${data.length.toString(16)} ${Buffer.from(data).toString('base64')}`);
  }

  /** Waits until every command sent so far was answered (throws the first failure). */
  async sync(): Promise<void> {
    await this.cmd('readl 0x0');
  }

  /** The trace log lines written since the last call. */
  newLog(): string[] {
    if (!this.logPath) return [];
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.logPath, 'r');
      const size = fs.fstatSync(fd).size;
      if (size <= this.logOff) return [];
      const b = Buffer.alloc(size - this.logOff);
      fs.readSync(fd, b, 0, b.length, this.logOff);
      this.logOff = size;
      return b.toString('utf8').split('\n').filter((l) => l.trim());
    } catch {
      return [];
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  get failure(): string | undefined {
    return this.dead;
  }

  close(): void {
    this.clearTimer();
    if (this.p.exitCode === null && this.p.signalCode === null) {
      this.p.stdin!.end();
      this.p.kill('SIGKILL');
    }
    this.fail('closed');
  }

  private onData(d: string): void {
    this.buf += d;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (!line || line.startsWith('IRQ')) continue;
      const p = this.pending.shift();
      if (!p) continue;
      if (line.startsWith('OK')) p.resolve(line.slice(2).trim());
      else p.reject(new QtestError(`qtest '${p.line.slice(0, 60)}' answered '${line.slice(0, 200)}'`));
    }
    this.arm();
  }

  private arm(): void {
    this.clearTimer();
    if (this.pending.length && !this.dead) {
      this.timer = setTimeout(() => {
        this.fail(`QEMU did not answer '${this.pending[0]?.line.slice(0, 60)}' within ${this.timeoutMs / 1000} s: stopped`);
        this.p.kill('SIGKILL');
      }, this.timeoutMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(reason: string): void {
    this.clearTimer();
    this.dead ??= reason;
    for (const p of this.pending.splice(0)) p.reject(new QtestError(this.dead));
  }
}
