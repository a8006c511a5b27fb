// The models q3tts knows (models/catalog.json, bundled into the build): loading, validation, lookup.
import { z } from 'zod';
import catalogJson from '../../../models/catalog.json' with { type: 'json' };
import { ModelError } from './errors.js';
import { PRECISIONS, isPrecision, oneOf, type Precision } from '../../shared/engine-options.js';

export { PRECISIONS, type Precision } from '../../shared/engine-options.js';

/** Hub paths: "*" matches within one path segment, "**" across segments. */
const patterns = z.array(z.string().min(1)).min(1);

const FileSetSchema = z
  .object({
    files: patterns,
    exclude: z.array(z.string().min(1)).optional(),
    /** Files that must exist in the repository, or the layout is not the one the engine reads. */
    required: z.array(z.string().min(1)),
    /** From the published sizes (docs/qwen3-tts.md §3), for listing before any network access; null when unknown. */
    approx_bytes: z.number().int().positive().nullable().optional(),
  })
  .strict();

const ModelSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"'),
    title: z.string(),
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
    revision: z.string().min(1),
    /** false: the revision is a moving branch (nothing better is documented yet). */
    revision_pinned: z.boolean(),
    revision_note: z.string().optional(),
    variant: z.enum(['voice_design', 'custom_voice', 'base']),
    size_class: z.string(),
    default_precision: z.enum(PRECISIONS),
    /** false: the repository's file layout is assumed, not read from a source. */
    layout_verified: z.boolean(),
    shared: FileSetSchema,
    precisions: z.partialRecord(z.enum(PRECISIONS), FileSetSchema),
  })
  .strict()
  .refine((m) => m.precisions[m.default_precision] !== undefined, { message: 'default_precision must be one of its precisions' });

export const CatalogSchema = z
  .object({ format: z.literal(1), models: z.array(ModelSchema) })
  .strict()
  .refine((c) => new Set(c.models.map((m) => m.name)).size === c.models.length, { message: 'model names must be unique' });

export type Catalog = z.infer<typeof CatalogSchema>;
export type CatalogModel = z.infer<typeof ModelSchema>;
export type FileSet = z.infer<typeof FileSetSchema>;

export function parseCatalog(value: unknown): Catalog {
  const result = CatalogSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`invalid model catalog: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

let bundled: Catalog | undefined;
/** The catalog shipped with q3tts (validated once). */
export function defaultCatalog(): Catalog {
  bundled ??= parseCatalog(catalogJson);
  return bundled;
}

/** A model by catalog name or Hub repository id (case-insensitive), or a clear error listing the known ones. */
export function findModel(catalog: Catalog, name: string): CatalogModel {
  const key = name.toLowerCase();
  const found = catalog.models.find((m) => m.name === key || m.repo.toLowerCase() === key);
  if (found) return found;
  throw new ModelError('unknown_model', `unknown model '${name}'. Known models: ${catalog.models.map((m) => m.name).join(', ')} (see 'q3tts models list')`);
}

export function parsePrecision(value: string | undefined, model: CatalogModel): Precision {
  const p = value ?? model.default_precision;
  if (!isPrecision(p)) throw new ModelError('usage', `unknown precision '${p}' (${oneOf(PRECISIONS)})`);
  if (!model.precisions[p]) throw new ModelError('usage', `${model.name} has no ${p} set (it has ${Object.keys(model.precisions).join(', ')})`);
  return p;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Which repository paths a precision set of a model needs (the shared files plus that set's graphs). */
export function fileMatcher(model: CatalogModel, precision: Precision): (path: string) => boolean {
  const sets = [model.shared, model.precisions[precision]!];
  const include = sets.flatMap((s) => s.files).map(globToRegExp);
  const exclude = sets.flatMap((s) => s.exclude ?? []).map(globToRegExp);
  return (p) => include.some((r) => r.test(p)) && !exclude.some((r) => r.test(p));
}

export function requiredFiles(model: CatalogModel, precision: Precision): string[] {
  return [...model.shared.required, ...model.precisions[precision]!.required];
}

export function approxBytes(model: CatalogModel, precision: Precision): number | null {
  return model.precisions[precision]?.approx_bytes ?? null;
}
