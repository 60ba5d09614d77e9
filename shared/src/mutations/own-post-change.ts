/**
 * What edits and withdrawals of one's own post share on the device: the change shows at once on
 * this device; the server's answer settles it; a refused edit goes back to drafts, linked to its post.
 */
import type { ItemKind } from '../documents.js';
import { recordRefusal, type DeviceStore, type Rejection } from '../device.js';

export const ownPostKey = (itemId: string) => `own:${itemId}`;

export interface OwnEdit {
  id: string;
  itemKind: ItemKind;
  itemId: string;
  title?: string;
  body: string;
}

export async function showPendingEdit(store: DeviceStore, edit: OwnEdit): Promise<void> {
  const own = await store.ownPosts.get(edit.itemId);
  if (!own) return;
  const pendingEdit = edit.title !== undefined ? { title: edit.title, body: edit.body } : { body: edit.body };
  await store.ownPosts.put({ ...own, pendingEdit });
}

export async function acceptEdit(store: DeviceStore, edit: OwnEdit): Promise<void> {
  // The author sees their edit at once; others after the next batch release.
  if (edit.itemKind === 'idea') {
    const idea = await store.ideas.get(edit.itemId);
    if (idea) await store.ideas.put({ ...idea, title: edit.title ?? idea.title, body: edit.body });
  } else {
    const comment = await store.comments.get(edit.itemId);
    if (comment) await store.comments.put({ ...comment, body: edit.body });
  }
  const own = await store.ownPosts.get(edit.itemId);
  if (own) await store.ownPosts.put({ ...own, pendingEdit: undefined, changePending: true });
}

export async function returnEditToDrafts(
  store: DeviceStore,
  edit: OwnEdit,
  rejection: Rejection,
): Promise<void> {
  const own = await store.ownPosts.get(edit.itemId);
  if (own) await store.ownPosts.put({ ...own, pendingEdit: undefined });
  const idea = edit.itemKind === 'idea' ? await store.ideas.get(edit.itemId) : undefined;
  const comment = edit.itemKind === 'comment' ? await store.comments.get(edit.itemId) : undefined;
  await store.drafts.put({
    id: `rejected:${edit.id}`,
    kind: edit.itemKind,
    conversationId: own?.conversationId ?? idea?.conversationId ?? comment?.conversationId,
    ...(idea ? { streamId: idea.streamId } : {}),
    ...(comment ? { ideaId: comment.ideaId } : {}),
    ...(edit.title !== undefined ? { title: edit.title } : {}),
    body: edit.body,
    updatedAt: store.now(),
    rejection,
    editOf: { itemKind: edit.itemKind, itemId: edit.itemId },
  });
}

export async function showWithdrawn(store: DeviceStore, itemId: string): Promise<void> {
  const own = await store.ownPosts.get(itemId);
  if (own && !own.isWithdrawn) await store.ownPosts.put({ ...own, isWithdrawn: true });
}

export async function acceptWithdrawal(store: DeviceStore, itemId: string): Promise<void> {
  const own = await store.ownPosts.get(itemId);
  if (own) await store.ownPosts.put({ ...own, isWithdrawn: true, status: 'withdrawn' });
}

export async function refuseWithdrawal(
  store: DeviceStore,
  kind: string,
  itemId: string,
  rejection: Rejection,
): Promise<void> {
  const own = await store.ownPosts.get(itemId);
  if (own) await store.ownPosts.put({ ...own, isWithdrawn: false });
  await recordRefusal(store, kind, rejection);
}
