// Fans a template change out to every open preview page (their server-sent event streams).
export interface ReloadHub {
  /** Returns the unsubscribe function. */
  subscribe(listener: (file: string) => void): () => void;
  notify(file: string): void;
  /** Called when the server shuts down: every stream ends so the server can close. */
  onClose(listener: () => void): () => void;
  close(): void;
  readonly size: number;
}

export function createReloadHub(): ReloadHub {
  const listeners = new Set<(file: string) => void>();
  const closers = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify(file) {
      for (const listener of listeners) listener(file);
    },
    onClose(listener) {
      closers.add(listener);
      return () => closers.delete(listener);
    },
    close() {
      for (const closer of [...closers]) closer();
      closers.clear();
      listeners.clear();
    },
    get size() {
      return listeners.size;
    },
  };
}
