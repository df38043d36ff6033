// A virtualised, keyboard-navigable table body: only the rows in view exist in the DOM, so a
// 262,144-entry PFN array costs the same to show as a 4-entry one.
import { h } from './dom';

export interface VirtualListOptions {
  count: number;
  rowHeight: number;
  /** Rows visible without scrolling (the list's height). */
  visibleRows: number;
  label: string;
  renderRow(index: number): HTMLElement;
  /** Enter or click on a row. */
  activate?(index: number): void;
  /** The keyboard/click cursor moved to this row (e.g. to show its details beside the list). */
  onActive?(index: number): void;
  initialIndex?: number;
}

export class VirtualList {
  readonly element: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private active: number;
  private frame = 0;
  private first = -1;
  private last = -1;
  /** Until the first draw the list is new: scrolled to the top, as tall as visibleRows. */
  private drawn = false;

  constructor(private readonly o: VirtualListOptions) {
    this.active = Math.min(Math.max(o.initialIndex ?? 0, 0), Math.max(o.count - 1, 0));
    this.body = h('div', { class: 'vlist-body', role: 'presentation' });
    this.body.style.height = `${o.count * o.rowHeight}px`;
    this.element = h('div', {
      class: 'vlist', tabindex: 0, role: 'grid', 'aria-label': o.label, 'aria-rowcount': o.count,
    }, this.body);
    this.element.style.height = `${Math.min(Math.max(o.count, 1), o.visibleRows) * o.rowHeight + 2}px`;
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.key(e));
    this.element.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-index]');
      if (!row) return;
      this.setActive(Number(row.dataset.index), false);
      this.o.activate?.(this.active);
    });
  }

  /** Draws the rows in view; call once after the element is in the document. */
  render(): void {
    const t0 = performance.now();
    this.draw();
    this.element.dataset.renderMs = (performance.now() - t0).toFixed(2);
  }

  private draw(): void {
    const { rowHeight, count } = this.o;
    // Reading scrollTop or clientHeight forces a layout of the whole new view; a list that was
    // never drawn is at the top with its configured height, so the first draw does not ask.
    const top = this.drawn ? this.element.scrollTop : 0;
    const height = (this.drawn && this.element.clientHeight) || this.o.visibleRows * rowHeight;
    this.drawn = true;
    const first = Math.max(0, Math.floor(top / rowHeight) - 4);
    const last = Math.min(count, Math.ceil((top + height) / rowHeight) + 4);
    if (first === this.first && last === this.last) return this.markActive();
    this.first = first;
    this.last = last;
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const r = this.o.renderRow(i);
      r.dataset.index = String(i);
      r.setAttribute('role', 'row');
      r.setAttribute('aria-rowindex', String(i + 1));
      r.id = `${this.idBase()}-${i}`;
      r.style.transform = `translateY(${i * rowHeight}px)`;
      r.style.height = `${rowHeight}px`;
      rows.push(r);
    }
    this.body.replaceChildren(...rows);
    this.markActive();
  }

  /** Redraws every row in view (data changed, same length). */
  refresh(): void {
    this.first = this.last = -1;
    this.render();
  }

  scrollToIndex(i: number): void {
    this.setActive(i, true);
  }

  private idBase(): string {
    return `vl-${this.o.label.replace(/[^a-z0-9]/gi, '')}`;
  }

  private markActive(): void {
    for (const r of this.body.children) r.classList.toggle('active', (r as HTMLElement).dataset.index === String(this.active));
    if (this.o.count) this.element.setAttribute('aria-activedescendant', `${this.idBase()}-${this.active}`);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private setActive(i: number, reveal: boolean): void {
    const before = this.active;
    this.active = Math.min(Math.max(i, 0), Math.max(this.o.count - 1, 0));
    if (this.active !== before) this.o.onActive?.(this.active);
    if (reveal) {
      const { rowHeight } = this.o;
      const top = this.active * rowHeight;
      const el = this.element;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    }
    this.render();
  }

  private key(e: KeyboardEvent): void {
    const page = Math.max(1, this.o.visibleRows - 1);
    const moves: Record<string, number> = {
      ArrowDown: this.active + 1, ArrowUp: this.active - 1, PageDown: this.active + page, PageUp: this.active - page,
      Home: 0, End: this.o.count - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      this.setActive(moves[e.key], true);
    } else if (e.key === 'Enter' && this.o.activate) {
      e.preventDefault();
      this.o.activate(this.active);
    }
  }
}
