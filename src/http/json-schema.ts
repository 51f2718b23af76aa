/**
 * The JSON Schema builders the route schemas use: TypeBox's `Type.*` signatures (so `Static<>`
 * and Fastify's type provider still infer request types) with TypeBox's output, without loading
 * TypeBox at run time. Its module graph is ~700 files, ~0.2 s of every start here (#15).
 * docs/openapi.json is built from these schemas, and test/openapi.test.ts holds it to the
 * committed document, which TypeBox's own builders produced.
 */
import type { Type as TypeBox } from 'typebox';

type Builders = Pick<typeof TypeBox, 'Array' | 'Boolean' | 'Integer' | 'Literal' | 'Null' | 'Object' | 'Optional' | 'String' | 'Union' | 'Unsafe'>;
type Schema = Record<string, unknown>;

/** Schemas made by Optional: left out of their object's `required`. */
const optional = new WeakSet<Schema>();

const builders = {
  Array: (items: Schema, options?: Schema) => ({ type: 'array', items, ...options }),
  Boolean: (options?: Schema) => ({ type: 'boolean', ...options }),
  Integer: (options?: Schema) => ({ type: 'integer', ...options }),
  Literal: (value: string | number | boolean, options?: Schema) => ({ type: typeof value, const: value, ...options }),
  Null: (options?: Schema) => ({ type: 'null', ...options }),
  Object: (properties: Record<string, Schema>, options?: Schema) => {
    const required = Object.keys(properties).filter((key) => !optional.has(properties[key]!));
    return { type: 'object', ...(required.length > 0 ? { required } : {}), properties, ...options };
  },
  Optional: (schema: Schema) => {
    const copy = { ...schema };
    optional.add(copy);
    return copy;
  },
  String: (options?: Schema) => ({ type: 'string', ...options }),
  Union: (anyOf: Schema[], options?: Schema) => ({ anyOf, ...options }),
  Unsafe: (schema: Schema) => ({ ...schema }),
};

export const Type = builders as unknown as Builders;
