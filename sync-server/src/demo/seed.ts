/**
 * Demo mode only (HUDDLE_DEMO=1): demo accounts for every role, with fixed codes that
 * work only in demo mode, and one live conversation with streams, ideas, comments and
 * votes from synthetic voters, written straight into the public and votes databases.
 * Idempotent: a marker document in the private database says the content is there.
 * Everything is invented; no real names.
 */
import crypto from 'node:crypto';
import {
  commentDocSchema,
  conversationDocSchema,
  ideaDocSchema,
  streamDocSchema,
  tallyDocSchema,
  voteDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
} from '../../../shared/src/documents.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { upsertAccount, type AuthDeps } from '../auth/accounts.js';
import { DEMO_LOGINS } from '../auth/demo-logins.js';
import type { Deps } from '../deps.js';
import { randomId } from '../secrets.js';
import type { DocStore, StoredDoc } from '../storage/port.js';
import { voteDocId, voterFor } from '../sync/keys.js';
import { sealValue } from '../sync/seal.js';

export { DEMO_LOGINS };

export const DEMO_MARKER_ID = 'demo-seed:v1';
const SYNTHETIC_VOTERS = 60;

interface SeedIdea {
  title: string;
  body: string;
  comments: string[];
  /** How many of the voters vote on it, and how many of those like it (0..1). */
  reach: number;
  approval: number;
}

const CONVERSATION = {
  title: 'Our hospital, our ideas',
  description:
    'Every member of staff can share ideas to make our hospital a better place to work and to be cared for. ' +
    'Post an idea, comment, and vote on the ideas you support. Everything is anonymous: please do not name or ' +
    'describe individual colleagues or patients. An independent facilitation team moderates the conversation and ' +
    'will write a report for the Trust board.',
};

const STREAMS: Array<{ title: string; description: string; ideas: SeedIdea[] }> = [
  {
    title: 'Patient care and safety',
    description: 'Ideas that would make care safer, kinder or quicker for patients and their families.',
    ideas: [
      {
        title: 'Protected mealtimes on every ward, every day',
        body: 'Too often patients need help with meals while the drugs round or ward round is going on. Protect 30 minutes at lunch and at tea so that all hands can help.',
        comments: [
          'We tried this on our ward last year and it worked while it lasted. It needs backing from the top.',
          'Families could be invited in at mealtimes too, many would like to help.',
        ],
        reach: 0.8,
        approval: 0.9,
      },
      {
        title: 'One discharge checklist shared by all wards',
        body: 'Every ward has its own discharge paperwork. One checklist in the same place on every ward would stop medicines and transport being forgotten.',
        comments: [
          'Yes please. Bank staff have to learn a new system on every shift.',
          'Pharmacy should be involved from the start so TTOs are ready earlier.',
          'Could it be electronic rather than another paper form?',
        ],
        reach: 0.7,
        approval: 0.85,
      },
      {
        title: 'Quiet hours at night so patients can sleep',
        body: 'Lights down and phones on silent from 11pm to 6am, with non-urgent observations grouped together. Earplugs and eye masks available on request.',
        comments: ['Bins with soft-close lids would make a big difference on our corridor.'],
        reach: 0.6,
        approval: 0.8,
      },
      {
        title: 'Falls sensors for patients at high risk',
        body: 'Chair and bed sensors would let us know when a patient at risk of falling gets up, without one-to-one watching for every patient.',
        comments: [
          'The sensors we have are old and half of them do not work.',
          'Training matters as much as the kit.',
        ],
        reach: 0.5,
        approval: 0.75,
      },
      {
        title: 'Interpreters available by video on every ward',
        body: 'Booking an interpreter can take days. A tablet with an on-demand video interpreting service on each ward would help patients understand their care.',
        comments: ['This matters for consent too, not just for comfort.'],
        reach: 0.45,
        approval: 0.85,
      },
    ],
  },
  {
    title: 'Staff wellbeing and rest',
    description: 'Breaks, rest, food, health and feeling valued at work.',
    ideas: [
      {
        title: 'Hot food available for night staff',
        body: 'The restaurant closes at 7pm and the vending machines are often empty by midnight. Night staff deserve a hot meal too: a hot food vending machine or a late counter would help.',
        comments: [
          'Agreed. Night shifts are hard enough without living on crisps.',
          'A microwave and fridge in every staff room would be a start.',
          'Even a toaster would be welcome.',
        ],
        reach: 0.9,
        approval: 0.95,
      },
      {
        title: 'Rest rooms where staff can actually rest',
        body: 'Our staff rooms double as store rooms and meeting rooms. A quiet room with comfortable chairs and dim lights on each floor would help people recover on breaks.',
        comments: ['Somewhere to lie down on long night shifts would improve safety too.'],
        reach: 0.75,
        approval: 0.9,
      },
      {
        title: 'Free parking for staff on night shifts',
        body: 'Staff starting at night pay for parking but public transport does not run when they finish. Make parking free for night shifts.',
        comments: [
          'Parking permits should be fair for part-time staff as well.',
          'The shuttle bus could run later.',
        ],
        reach: 0.8,
        approval: 0.8,
      },
      {
        title: 'Time for a proper handover when going home',
        body: 'Shifts regularly overrun because handover starts late. Build 15 minutes of overlap into the rota so that people can leave on time.',
        comments: [],
        reach: 0.55,
        approval: 0.7,
      },
      {
        title: 'Water bottles allowed at the nurses station',
        body: 'Staff go hours without drinking. A clearly marked place for staff water bottles near each station would stop people getting dehydrated.',
        comments: ['Infection control need to agree where, but it is doable.'],
        reach: 0.6,
        approval: 0.85,
      },
    ],
  },
  {
    title: 'Working together',
    description: 'Teamwork, communication and how we treat each other across departments and sites.',
    ideas: [
      {
        title: 'Shadow a colleague in another department for a day',
        body: 'Many problems come from not knowing how other teams work. Let every member of staff spend a day in a department they rely on.',
        comments: [
          'Porters and domestic staff should be part of this, not just clinical teams.',
          'Would need protected time or nobody will manage it.',
        ],
        reach: 0.5,
        approval: 0.8,
      },
      {
        title: 'Say thank you: a simple way to pass on praise',
        body: 'A card or a short online form to send thanks to another team, shared in their team meeting. Good news gets lost at the moment.',
        comments: ['Good idea, as long as it does not become a box-ticking exercise.'],
        reach: 0.55,
        approval: 0.75,
      },
      {
        title: 'Cross-site meetings by video as the default',
        body: 'Travelling between sites for a one-hour meeting wastes half a day. Make video the default and meet in person only when it adds something.',
        comments: [
          'Rooms need working cameras and microphones first.',
          'In-person still matters for new starters.',
        ],
        reach: 0.45,
        approval: 0.65,
      },
      {
        title: 'A named contact in each department for new starters',
        body: 'New starters do not know who to ask about rotas, uniforms, IT accounts or lockers. A buddy in each department for the first month would help them settle.',
        comments: ['This would help international recruits a lot.'],
        reach: 0.5,
        approval: 0.85,
      },
      {
        title: 'Close the loop on incident reports',
        body: 'People stop reporting incidents because they never hear what happened next. Send a short summary of what changed to whoever reported it.',
        comments: [
          'Learning from incidents should be shared across sites, not just the ward involved.',
          'Feedback within a month would be enough.',
        ],
        reach: 0.65,
        approval: 0.9,
      },
    ],
  },
  {
    title: 'Systems, IT and paperwork',
    description: 'Computers, logins, forms and processes that slow us down or could be better.',
    ideas: [
      {
        title: 'Single sign-on for all clinical systems',
        body: 'We log in to five or six systems with different passwords on a single shift. One login would save minutes on every patient.',
        comments: [
          'The time lost logging in across the Trust must be enormous.',
          'Tap-in cards work well elsewhere.',
          'Password resets every 60 days make this worse.',
        ],
        reach: 0.85,
        approval: 0.95,
      },
      {
        title: 'More computers on wheels on the wards',
        body: 'There are not enough computers for everyone who needs one during the ward round. A few more computers on wheels would stop the queue.',
        comments: ['And batteries that last a whole shift.'],
        reach: 0.6,
        approval: 0.8,
      },
      {
        title: 'Stop printing what is already on the system',
        body: 'We print results and letters that are already on the system, then shred them. Review which printouts are really needed.',
        comments: ['Some printouts are still needed for patients going home.'],
        reach: 0.4,
        approval: 0.6,
      },
      {
        title: 'Book annual leave online and see the team calendar',
        body: 'Annual leave requests are still on paper in some departments and go missing. An online request with a team calendar would be fairer for everyone.',
        comments: ['The e-rostering system can already do this, it just is not switched on everywhere.'],
        reach: 0.7,
        approval: 0.85,
      },
      {
        title: 'Wi-Fi that works in every ward and staff room',
        body: 'Some wards have no signal at all, which makes mobile devices and even calling the bleep system unreliable.',
        comments: ['Basement areas are the worst.', 'Guest Wi-Fi for patients too, please.'],
        reach: 0.65,
        approval: 0.9,
      },
    ],
  },
  {
    title: 'Our buildings and a greener hospital',
    description: 'The places we work in, travel to work, waste and energy.',
    ideas: [
      {
        title: 'Secure bike storage and showers at every site',
        body: 'More people would cycle to work if bikes were safe and there was somewhere to shower and change.',
        comments: ['The current bike shed has no roof.', 'Lockers for cycling kit would help as well.'],
        reach: 0.45,
        approval: 0.75,
      },
      {
        title: 'Recycling bins on every ward',
        body: 'Most ward waste goes into general waste because there is nowhere to recycle. Clearly labelled recycling bins would cut waste quickly.',
        comments: ['Cardboard from deliveries could be the easy first step.'],
        reach: 0.5,
        approval: 0.8,
      },
      {
        title: 'Fix the heating before winter',
        body: 'Some areas are too hot all year and others are freezing in winter. Ask staff where the problems are and fix the worst first.',
        comments: [
          'Outpatients waiting area is freezing in January.',
          'Our office needs a fan even in March.',
        ],
        reach: 0.55,
        approval: 0.7,
      },
      {
        title: 'Reusable cups and an end to single-use plastic in staff areas',
        body: 'Offer discounted drinks for reusable cups in the restaurant and remove single-use plastic cutlery from staff areas.',
        comments: [],
        reach: 0.35,
        approval: 0.55,
      },
      {
        title: 'Better signs to help patients find their way',
        body: 'Patients and visitors get lost between buildings and staff spend time showing them the way. Clear, consistent signs and colour-coded routes would help.',
        comments: [
          'Signs in other languages and large print too.',
          'Volunteers at the main entrance make a big difference.',
        ],
        reach: 0.6,
        approval: 0.85,
      },
    ],
  },
];

/** Small deterministic generator: the same vote pattern on every demo, whatever the ids. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeAll(store: DocStore, docs: StoredDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 500) {
    const results = await store.bulkPut(docs.slice(i, i + 500));
    const failed = results.filter((r) => r.error);
    if (failed.length > 0)
      throw new Error(`demo seed: ${failed.length} documents not written to ${store.name}`);
  }
}

export async function seedDemoAccounts(deps: AuthDeps): Promise<void> {
  for (const login of DEMO_LOGINS) {
    await upsertAccount(deps, { email: login.email, roles: [login.role], status: 'active', isDemo: true });
  }
}

/** Called by server.ts at start in demo mode. */
export async function seedDemo(deps: Deps): Promise<void> {
  await seedDemoAccounts(deps);
  const privateDb = deps.storage.db('private');
  // The marker goes first, so that several instances starting together seed once.
  const claimed = await privateDb.create({
    _id: DEMO_MARKER_ID,
    type: 'demo-seed',
    schemaVersion: SCHEMA_VERSION,
  });
  if (claimed === 'exists') return;
  try {
    await seedDemoConversation(deps);
  } catch (err) {
    const marker = await privateDb.get(DEMO_MARKER_ID);
    if (marker) await privateDb.remove(DEMO_MARKER_ID, marker._rev).catch(() => undefined);
    throw err;
  }
  deps.log.info('demo conversation seeded');
}

async function seedDemoConversation(deps: AuthDeps): Promise<void> {
  const now = deps.now();
  const hoursAgo = (h: number) => toCoarseHour(new Date(now.getTime() - h * 3_600_000));
  const random = mulberry32(20261124);
  const conversationId = randomId();
  const publicDocs: StoredDoc[] = [
    conversationDocSchema.parse({
      _id: docId.conversation(conversationId),
      type: 'conversation',
      schemaVersion: SCHEMA_VERSION,
      id: conversationId,
      status: 'live',
      opensAt: new Date(now.getTime() - 4 * 86_400_000).toISOString(),
      closesAt: new Date(now.getTime() + 21 * 86_400_000).toISOString(),
      ...CONVERSATION,
    }),
  ];
  const items: Array<{ id: string; kind: ItemKind; reach: number; approval: number }> = [];
  STREAMS.forEach((stream, order) => {
    const streamId = randomId();
    publicDocs.push(
      streamDocSchema.parse({
        _id: docId.stream(streamId),
        type: 'stream',
        schemaVersion: SCHEMA_VERSION,
        id: streamId,
        conversationId,
        title: stream.title,
        description: stream.description,
        order,
      }),
    );
    for (const idea of stream.ideas) {
      const ideaId = randomId();
      const ideaAge = 6 + Math.floor(random() * 90); // posted within the last four days
      publicDocs.push(
        ideaDocSchema.parse({
          _id: docId.idea(ideaId),
          type: 'idea',
          schemaVersion: SCHEMA_VERSION,
          id: ideaId,
          conversationId,
          streamId,
          title: idea.title,
          body: idea.body,
          createdHour: hoursAgo(ideaAge),
          status: 'visible',
        } satisfies IdeaDoc),
      );
      items.push({ id: ideaId, kind: 'idea', reach: idea.reach, approval: idea.approval });
      for (const body of idea.comments) {
        const commentId = randomId();
        publicDocs.push(
          commentDocSchema.parse({
            _id: docId.comment(commentId),
            type: 'comment',
            schemaVersion: SCHEMA_VERSION,
            id: commentId,
            conversationId,
            ideaId,
            body,
            createdHour: hoursAgo(Math.max(1, ideaAge - 1 - Math.floor(random() * (ideaAge - 1)))),
            status: 'visible',
          } satisfies CommentDoc),
        );
        items.push({
          id: commentId,
          kind: 'comment',
          reach: idea.reach * 0.3,
          approval: 0.5 + random() * 0.45,
        });
      }
    }
  });

  // Votes from synthetic voters, tallies that agree with them exactly.
  const voteDocs: StoredDoc[] = [];
  const tallies = new Map(items.map((item) => [item.id, { likes: 0, dislikes: 0 }]));
  for (let v = 0; v < SYNTHETIC_VOTERS; v++) {
    const voter = voterFor(
      deps.secrets,
      conversationId,
      `demo-voter-${crypto.randomBytes(12).toString('base64url')}`,
    );
    for (const item of items) {
      if (random() >= item.reach) continue;
      const value = random() < item.approval ? 'like' : 'dislike';
      const tally = tallies.get(item.id)!;
      if (value === 'like') tally.likes++;
      else tally.dislikes++;
      voteDocs.push(
        voteDocSchema.parse({
          _id: voteDocId(deps.secrets, voter, item.id),
          type: 'vote',
          schemaVersion: SCHEMA_VERSION,
          voterSeal: sealValue(deps.secrets, voteDocId(deps.secrets, voter, item.id), voter),
          conversationId,
          itemId: item.id,
          itemKind: item.kind,
          value,
        }),
      );
    }
  }
  for (const item of items) {
    const tally = tallies.get(item.id)!;
    publicDocs.push(
      tallyDocSchema.parse({
        _id: docId.tally(item.id),
        type: 'tally',
        schemaVersion: SCHEMA_VERSION,
        itemId: item.id,
        itemKind: item.kind,
        conversationId,
        likes: tally.likes,
        dislikes: tally.dislikes,
      }),
    );
  }
  await writeAll(deps.storage.db('votes'), voteDocs);
  await writeAll(deps.storage.db('public'), publicDocs);
}
