import { z } from 'zod';

/** Injected faults, matched by method and path pattern (`*` = one segment), consumed in order. */

export const faultInputSchema = z.object({
  method: z.string().trim().toUpperCase().optional(),
  path: z.string().startsWith('/', "must start with '/'"),
  kind: z.enum(['status', 'throttle', 'latency', 'reset', 'commit-then-drop']),
  status: z.number().int().min(400).max(599).optional(),
  code: z.union([z.number(), z.string()]).optional(),
  description: z.string().optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  count: z.number().int().min(1).default(1),
  skip: z.number().int().min(0).default(0),
  /** The share of matching calls the rule hits (a fresh draw each); `count` and `skip` are used up only by those. */
  ratio: z.number().gt(0).max(1).optional(),
});
export type FaultInput = z.input<typeof faultInputSchema>;
export type FaultRule = z.infer<typeof faultInputSchema> & { id: string };

export interface Faults {
  add(rule: z.infer<typeof faultInputSchema>): string;
  clear(): void;
  /** The fault to apply to this request, if any (each matching call uses up a `skip` or a `count`). */
  take(method: string, path: string): FaultRule | undefined;
}

export function createFaults(): Faults {
  let rules: Array<FaultRule & { pattern: string[] }> = [];
  let nextId = 1;
  return {
    add: (rule) => {
      const id = `fault-${nextId++}`;
      rules.push({ ...rule, id, pattern: rule.path.split('?')[0].split('/').filter(Boolean) });
      return id;
    },
    clear: () => {
      rules = [];
    },
    take: (method, path) => {
      const segments = path.split('/').filter(Boolean);
      for (const rule of rules) {
        if (rule.method && rule.method !== method) continue;
        if (!matches(rule.pattern, segments)) continue;
        // Not seeded: chaos mixes must not shift the world's seeded ids.
        if (rule.ratio !== undefined && Math.random() >= rule.ratio) continue;
        if (rule.skip > 0) {
          rule.skip -= 1;
          continue;
        }
        rule.count -= 1;
        if (rule.count <= 0) rules = rules.filter((r) => r !== rule);
        return rule;
      }
      return undefined;
    },
  };
}

function matches(pattern: string[], segments: string[]): boolean {
  return (
    pattern.length === segments.length &&
    pattern.every((p, i) => p === '*' || p.toLowerCase() === segments[i].toLowerCase())
  );
}
