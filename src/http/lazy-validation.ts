/**
 * Request validators compiled on a route's first request rather than before listening. Fastify
 * compiles every route's schemas with Ajv at start (~0.2 s here with loading Ajv itself), while
 * verify, what a restarted instance must answer first, validates nothing (#15). A route's first
 * request pays its compilation once: a few ms, and the very first also loads Ajv. Validation
 * itself is Fastify's default, with the same Ajv options.
 */
import type AjvCompiler from '@fastify/ajv-compiler';
import { createRequire } from 'node:module';

type BuildValidator = ReturnType<typeof AjvCompiler>;
type Validate = ReturnType<ReturnType<BuildValidator>>;

export function lazyValidators(...factoryArgs: Parameters<BuildValidator>): ReturnType<BuildValidator> {
  let compiler: ReturnType<BuildValidator> | undefined;
  const compile = (route: Parameters<ReturnType<BuildValidator>>[0]): Validate => {
    compiler ??= (createRequire(import.meta.url)('@fastify/ajv-compiler') as typeof AjvCompiler)()(...factoryArgs);
    return compiler(route);
  };
  return (route) => {
    let compiled: Validate | undefined;
    const validate = ((data: unknown) => (compiled ??= compile(route))(data)) as Validate;
    // Fastify reads a failed validation's errors from the function it was given.
    Object.defineProperty(validate, 'errors', { get: () => compiled?.errors });
    return validate;
  };
}
