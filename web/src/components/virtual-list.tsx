/**
 * A virtual list of fixed-height rows: only the rows in view (plus a margin) exist in the DOM,
 * so 100k+ rows scroll as smoothly as 100. Fixed heights keep it exact and cheap (no
 * measuring): long log lines scroll sideways instead of wrapping.
 */
import {
  type KeyboardEvent,
  type ReactNode,
  type Ref,
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
} from "react";

export interface VirtualListHandle {
  scrollToIndex(index: number, align?: "center" | "start"): void;
  scrollToBottom(): void;
  focus(): void;
}

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Called on scrolls the user made (not ours), with whether the view is at the bottom. */
  onUserScroll?: (atBottom: boolean) => void;
  overscan?: number;
  className?: string;
  role?: string;
  "aria-label"?: string;
  "aria-live"?: "off" | "polite";
  onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
  ref?: Ref<VirtualListHandle>;
}

export function VirtualList({
  count,
  rowHeight,
  renderRow,
  onUserScroll,
  overscan = 20,
  className,
  ref,
  ...aria
}: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const expectedTop = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const setTop = useCallback((top: number) => {
    const el = viewport.current;
    if (!el) return;
    const max = Math.max(0, el.scrollHeight - el.clientHeight);
    const clamped = Math.max(0, Math.min(max, top));
    if (Math.abs(el.scrollTop - clamped) < 1) return;
    expectedTop.current = clamped;
    el.scrollTop = clamped;
  }, []);

  useImperativeHandle(
    ref,
    () => ({
      scrollToIndex: (index, align = "center") => {
        const el = viewport.current;
        if (!el) return;
        const top = index * rowHeight;
        if (align === "start") return setTop(top);
        if (top < el.scrollTop || top + rowHeight > el.scrollTop + el.clientHeight) {
          setTop(top - el.clientHeight / 2 + rowHeight / 2);
        }
      },
      scrollToBottom: () => setTop(Number.MAX_SAFE_INTEGER),
      focus: () => viewport.current?.focus(),
    }),
    [rowHeight, setTop],
  );

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const ours = expectedTop.current !== undefined && Math.abs(el.scrollTop - expectedTop.current) < 2;
    expectedTop.current = undefined;
    if (!ours) onUserScroll?.(el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i));

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area must be reachable by keyboard to scroll it
    <div ref={viewport} className={`vlist ${className ?? ""}`} onScroll={onScroll} tabIndex={0} {...aria}>
      <div className="vlist-inner" style={{ height: count * rowHeight }}>
        <div className="vlist-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
