// Tells the preview server when a template changes. node:fs `watch` on the folder (not on each
// file) sees editors that save by writing a temporary file and renaming it over the original.
import { type FSWatcher, watch } from 'node:fs';

export interface TemplateWatcher {
  close(): void;
}

/** Editor droppings (vim swap files, backups, dotfiles) change constantly while typing. */
function isTemplateFile(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('~') && !/\.(swp|swx|tmp)$|^\d+$/.test(name);
}

/**
 * Calls `onChange` with the changed file's name, at most once per `settleMs`: one save is often
 * several events (truncate, write, rename).
 */
export function watchTemplates(
  dir: string,
  onChange: (file: string) => void,
  settleMs = 60,
): TemplateWatcher {
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, (_event, name) => {
      const file = name?.toString() ?? '';
      if (file && !isTemplateFile(file.split(/[\\/]/).at(-1) ?? file)) return;
      changed.add(file);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const files = [...changed].filter(Boolean).sort();
        changed.clear();
        onChange(files.join(', '));
      }, settleMs);
    });
  } catch (error) {
    throw new Error(`cannot watch ${dir}: ${(error as Error).message}`, { cause: error });
  }
  // A folder that disappears (deleted, unmounted) ends the watch; the server keeps serving.
  watcher.on('error', () => watcher.close());
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
