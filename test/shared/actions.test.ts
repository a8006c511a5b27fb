// The request → answer map at the type level: checked by `npm run typecheck` (tsc covers test/), so a
// map that drifts from the protocol, or a client that loses the answer's type, fails the build.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DaemonConnection } from '../../src/core/client.js';
import type { DaemonCore } from '../../src/core/daemon/core.js';
import type {
  ActionTypes,
  AnswerOf,
  DaemonState,
  OkAnswerOf,
  QueuedJob,
  Requester,
  TypedAction,
} from '../../src/shared/actions.js';
import { ACTIONS, type Action, type Answer, type ErrorAnswer, type Request } from '../../src/shared/protocol.js';

type RequestMethod = DaemonConnection['request'];

describe('the action map', () => {
  it('covers exactly the protocol actions', () => {
    expectTypeOf<TypedAction>().toEqualTypeOf<Action>();
    expectTypeOf<keyof ActionTypes>().toEqualTypeOf<(typeof ACTIONS)[number]>();
    expect(ACTIONS.length).toBe(26);
  });

  it("ties each request's action to its own request type", () => {
    expectTypeOf<ActionTypes['status']['request']['action']>().toEqualTypeOf<'status'>();
    expectTypeOf<ActionTypes['generate']['request']['text']>().toEqualTypeOf<string>();
    expectTypeOf<ActionTypes['models_pull']['request']['precision']>().toEqualTypeOf<'int4' | 'fp32' | undefined>();
  });

  it('every answer is its ok shape or an error answer, and fits the untyped Answer', () => {
    expectTypeOf<AnswerOf<'ping'>>().toEqualTypeOf<OkAnswerOf<'ping'> | ErrorAnswer>();
    expectTypeOf<OkAnswerOf<'status'>['state']>().toEqualTypeOf<DaemonState>();
    expectTypeOf<OkAnswerOf<'queue'>['jobs']>().toEqualTypeOf<QueuedJob[]>();
    expectTypeOf<OkAnswerOf<'voices'>['languages']>().toEqualTypeOf<string[]>();
    expectTypeOf<OkAnswerOf<'next'>['sentence']>().toEqualTypeOf<number | null>();
    expectTypeOf<OkAnswerOf<TypedAction>>().toExtend<Answer>();
  });
});

describe('clients return the answer of the action they sent', () => {
  it('DaemonConnection.request', () => {
    const request = null as unknown as DaemonConnection;
    expectTypeOf(() => request.request({ action: 'status' })).returns.resolves.toEqualTypeOf<AnswerOf<'status'>>();
    expectTypeOf(() => request.request({ action: 'voices', id: 7 })).returns.resolves.toEqualTypeOf<
      AnswerOf<'voices'>
    >();
    expectTypeOf(() => request.request({ action: 'generate', text: 'hi', wait: false })).returns.resolves.toEqualTypeOf<
      AnswerOf<'generate'>
    >();
    expectTypeOf(() => request.request({ action: 'models_use', name: 'm' })).returns.resolves.toEqualTypeOf<
      AnswerOf<'models_use'>
    >();
    // Anything else (a forwarded Request, an invalid one on purpose) still goes out, untyped.
    expectTypeOf(() => request.request({ action: 'status', bogus: 1 })).returns.resolves.toEqualTypeOf<Answer>();
    expectTypeOf(() => request.request({} as Request)).returns.resolves.toEqualTypeOf<Answer>();
  });

  it('the connection and the in-process core are both Requesters', () => {
    expectTypeOf<DaemonConnection>().toExtend<Requester>();
    expectTypeOf<DaemonCore>().toExtend<Requester>();
    expectTypeOf<RequestMethod>().toExtend<Requester['request']>();
  });

  it('a typed answer has no fields it does not declare', async () => {
    const client = { request: async () => ({ status: 'ok', v: 1 }) } as unknown as Requester;
    const answer = await client.request({ action: 'ping' });
    if (answer.status === 'ok') {
      expectTypeOf(answer.v).toEqualTypeOf<number>();
      // @ts-expect-error: ping answers carry no jobs
      expect(answer.jobs).toBeUndefined();
    }
  });
});
