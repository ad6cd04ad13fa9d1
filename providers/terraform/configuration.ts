import { isPlainObject } from '../../src/model/issues.js';
import type { JsonObject } from './plan-document.js';

/** Instance keys (`[0]`, `["a.b"]`) are not part of a configuration address. */
const INSTANCE_KEY = /\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g;

export type ConfiguredState = 'configured' | 'not-configured' | 'no-configuration';

/**
 * Whether the configuration sets `attribute` on the resource at `address`. A computed
 * attribute (e.g. `remote_group_id` of an OpenStack rule) is unknown in `after_unknown`
 * both when the configuration leaves it out (the provider fills it in) and when it refers to
 * an object not created yet; only the configuration tells the two apart.
 */
export function configuredState(configuration: JsonObject | undefined, address: string, attribute: string): ConfiguredState {
  if (!configuration) return 'no-configuration';
  const segments = address.replace(INSTANCE_KEY, '').split('.');
  let module: unknown = configuration['root_module'];
  while (segments[0] === 'module' && segments.length > 2) {
    const name = segments[1]!;
    segments.splice(0, 2);
    const calls = isPlainObject(module) ? module['module_calls'] : undefined;
    const call = isPlainObject(calls) ? calls[name] : undefined;
    module = isPlainObject(call) ? call['module'] : undefined;
  }
  const local = segments.join('.');
  const resources = isPlainObject(module) && Array.isArray(module['resources']) ? module['resources'] : [];
  const resource = resources.find((r): r is JsonObject => isPlainObject(r) && r['address'] === local);
  if (!resource) return 'no-configuration';
  const expressions = resource['expressions'];
  if (!isPlainObject(expressions)) return 'not-configured';
  return expressions[attribute] === undefined ? 'not-configured' : 'configured';
}
