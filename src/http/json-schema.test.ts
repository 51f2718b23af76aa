import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type as TypeBox } from 'typebox';
import { Type } from './json-schema.js';

test('each builder gives the JSON Schema TypeBox gives, key order included', () => {
  const cases = [
    (T: typeof Type) => T.String(),
    (T: typeof Type) => T.String({ minLength: 1, maxLength: 8, description: 'd' }),
    (T: typeof Type) => T.Integer({ description: 'i' }),
    (T: typeof Type) => T.Boolean({ description: 'b' }),
    (T: typeof Type) => T.Null(),
    (T: typeof Type) => T.Literal('ok', { description: 'l' }),
    (T: typeof Type) => T.Array(T.String(), { description: 'a' }),
    (T: typeof Type) => T.Union([T.Literal('a'), T.Null()], { description: 'u' }),
    (T: typeof Type) => T.Unsafe<undefined>({ type: 'null', description: 'empty' }),
    (T: typeof Type) => T.Object({ a: T.String(), b: T.Optional(T.Integer({ description: 'o' })) }, { additionalProperties: false, description: 'obj' }),
    (T: typeof Type) => T.Object({ only: T.Optional(T.String()) }),
    (T: typeof Type) => T.Object({}),
  ];
  for (const build of cases) {
    assert.equal(JSON.stringify(build(Type)), JSON.stringify(build(TypeBox as unknown as typeof Type)), build.toString());
  }
});
