import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi.ts';
import { ROUTES } from './routes.ts';

/** Every `$ref` in `value`, anywhere. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('is OpenAPI 3.1 and lists every route with its path parameters', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const listed = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(listed.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    // 5 routes for each of the 5 resources, the learned MAC bindings (list, forget), the batch,
    // then status, statistics, traceflows and graph layout.
    expect(ROUTES).toHaveLength(38);
    expect(listed).toEqual(
      expect.arrayContaining([
        'GET /api/v1/security-groups',
        'POST /api/v1/security-groups',
        'GET /api/v1/security-groups/{name}',
        'PUT /api/v1/security-groups/{name}',
        'DELETE /api/v1/security-groups/{name}',
      ]),
    );
    for (const r of ROUTES) {
      const o = doc.paths[r.path]![r.method.toLowerCase()] as {
        parameters?: { name: string; in: string; required: boolean }[];
        operationId: string;
      };
      const names = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect((o.parameters ?? []).map((p) => p.name)).toEqual(names);
      for (const p of o.parameters ?? []) expect(p).toMatchObject({ in: 'path', required: true });
    }
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
  });

  it('describes request and response bodies with resolvable schemas', () => {
    for (const ref of refs(doc.paths)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').at(-1)!]).toBeDefined();
    }
    const create = doc.paths['/api/v1/logical-switches']!.post as { requestBody: unknown; responses: Record<string, unknown> };
    expect(create.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/LogicalSwitchCreate' } } },
    });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '404', '409', '503']);
  });

  it('generates request schemas from the zod input side (defaults optional) and responses from the output side', () => {
    const s = doc.components.schemas as Record<
      string,
      {
        required?: string[];
        properties: Record<string, { default?: unknown; enum?: unknown[]; minimum?: number; maximum?: number }>;
        additionalProperties?: unknown;
      }
    >;
    expect(s.LogicalSwitchCreate!.required).toEqual(['name', 'vni']);
    expect(s.LogicalSwitchCreate!.properties.replication).toMatchObject({ default: 'source', enum: ['source', 'service-node'] });
    expect(s.LogicalSwitchCreate!.properties.vni).toMatchObject({ minimum: 1, maximum: 16_777_215 });
    expect(s.LogicalSwitchCreate!.additionalProperties).toBe(false);
    expect(s.LogicalSwitch!.required).toEqual(['name', 'vni', 'replication', 'encap']);
    expect(s.LogicalPortUpdate!.required).toEqual(['switch', 'mac']);
    expect(s.NoQuorumError!.properties).toHaveProperty('applied');
    expect(s.LogicalRouterCreate!.required).toEqual(['name']);
    expect(s.LogicalRouter!.required).toEqual(['name', 'distributed', 'interfaces', 'routes']);
    expect(s.LogicalRouterUpdate!.required ?? []).toEqual([]);
  });

  it("describes a router's distributed flag and its static routes", () => {
    type JsonSchema = { type?: string; required?: string[]; default?: unknown; properties: Record<string, JsonSchema>; items?: JsonSchema };
    const s = doc.components.schemas as Record<string, JsonSchema>;
    for (const name of ['LogicalRouterCreate', 'LogicalRouterUpdate']) {
      expect(s[name]!.properties.distributed).toMatchObject({ type: 'boolean', default: true });
      expect(s[name]!.properties.routes).toMatchObject({ type: 'array', default: [] });
      const route = s[name]!.properties.routes!.items!;
      expect(route.required).toEqual(['prefix', 'nextHop']);
      expect(Object.keys(route.properties)).toEqual(['prefix', 'nextHop']);
    }
    expect(s.LogicalRouter!.properties.routes!.items!.required).toEqual(['prefix', 'nextHop']);
  });

  it('describes security groups and their rules, and the fields a port takes for them', () => {
    type JsonSchema = {
      required?: string[];
      properties: Record<string, JsonSchema & { default?: unknown; enum?: unknown[] }>;
      items?: JsonSchema;
    };
    const s = doc.components.schemas as Record<string, JsonSchema>;
    expect(s.SecurityGroupCreate!.required).toEqual(['name']);
    expect(s.SecurityGroup!.required).toEqual(['name', 'rules']);
    expect(s.SecurityGroupUpdate!.required ?? []).toEqual([]);
    const rule = s.SecurityGroupCreate!.properties.rules!.items!;
    expect(rule.required).toEqual(['direction']);
    expect(rule.properties.action).toMatchObject({ default: 'allow', enum: ['allow', 'allow-stateless', 'drop', 'reject'] });
    expect(rule.properties.protocol).toMatchObject({ default: 'any', enum: ['icmp', 'tcp', 'udp', 'any'] });
    expect(Object.keys(s.LogicalPortCreate!.properties)).toEqual(expect.arrayContaining(['securityGroups', 'portSecurity', 'qos']));
    expect(s.LogicalPortCreate!.properties.qos!.required).toEqual(['rate']);
    const del = doc.paths['/api/v1/security-groups/{name}']!.delete as { responses: Record<string, unknown> };
    expect(Object.keys(del.responses).sort()).toEqual(['204', '404', '409', '503']);
  });

  it('lists learned MAC bindings and forgets one by switch and address, with no way to create one', () => {
    type JsonSchema = { required?: string[]; properties: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: unknown };
    const list = doc.paths['/api/v1/mac-bindings']!;
    expect(Object.keys(list)).toEqual(['get']);
    expect(list.get).toMatchObject({
      operationId: 'listMacBindings',
      responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/MacBindingList' } } } } },
    });
    const one = doc.paths['/api/v1/mac-bindings/{switch}/{ip}']!;
    expect(Object.keys(one)).toEqual(['delete']);
    const del = one.delete as { parameters: { name: string }[]; responses: Record<string, unknown> };
    expect(del.parameters.map((p) => p.name)).toEqual(['switch', 'ip']);
    expect(Object.keys(del.responses).sort()).toEqual(['204', '404', '503']);
    const s = doc.components.schemas as Record<string, JsonSchema>;
    expect(s.MacBinding!.required).toEqual(['switch', 'ip', 'mac']);
    expect(s.MacBinding!.additionalProperties).toBe(false);
    expect(s.MacBindingList!.properties.items!.items!.required).toEqual(['switch', 'ip', 'mac']);
  });

  it('describes the batch: its requests, its answers in order, and the place of a failed request', () => {
    type JsonSchema = { required?: string[]; properties: Record<string, JsonSchema & { enum?: unknown[] }>; items?: JsonSchema };
    const batch = doc.paths['/api/v1/batch']!;
    expect(Object.keys(batch)).toEqual(['post']);
    const post = batch.post as { requestBody: unknown; responses: Record<string, { content?: unknown }> };
    expect(post.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchRequest' } } },
    });
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '404', '409', '503']);
    expect(JSON.stringify(post.responses['409']!.content)).toContain('#/components/schemas/BatchError');
    const s = doc.components.schemas as Record<string, JsonSchema>;
    expect(s.BatchRequest!.required).toEqual(['requests']);
    const item = s.BatchRequest!.properties.requests!.items!;
    expect(item.required).toEqual(['method', 'path']);
    expect(item.properties.method!.enum).toEqual(['POST', 'PUT', 'DELETE']);
    expect(s.BatchResponse!.properties.results!.items!.required).toEqual(['status']);
    expect(Object.keys(s.BatchError!.properties)).toEqual(expect.arrayContaining(['error', 'detail', 'index', 'name', 'issues']));
    expect(doc.info.description).toContain('x-nvlab-progress');
  });

  it('documents the stale-read header on reads and Retry-After on 503', () => {
    const get = doc.paths['/api/v1/logical-ports/{name}']!.get as { responses: Record<string, { headers?: Record<string, unknown> }> };
    expect(get.responses['200']!.headers).toHaveProperty('x-nvstore-stale');
    const put = doc.paths['/api/v1/logical-ports/{name}']!.put as { responses: Record<string, { headers?: Record<string, unknown> }> };
    expect(put.responses['503']!.headers).toHaveProperty('retry-after');
    expect(put.responses['200']!.headers).toBeUndefined();
  });

  it('documents 503 "no quorum" on every write to the store', () => {
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, { responses: Record<string, { description: string; content?: unknown }> }>)
        .filter(([method]) => method !== 'get' && path !== '/api/v1/graph/layout')
        .map(([method, op]) => ({ at: `${method} ${path}`, response: op.responses['503'] })),
    );
    expect(writes.length).toBeGreaterThanOrEqual(17);
    for (const { at, response } of writes) {
      expect(response?.description, at).toMatch(/^No quorum: a majority of the members is lost or cut off/);
      expect(JSON.stringify(response?.content), at).toContain('#/components/schemas/NoQuorumError');
    }
  });
});
