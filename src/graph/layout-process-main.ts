// The child of LayoutProcess (layout-process.ts): lays out each graph it is sent, in turn, and
// keeps the layouts it made (layoutGraph's own memory of recent shapes).
import { layoutGraph } from './layout.ts';
import type { LayoutReplyMessage, LayoutRequestMessage } from './layout-process.ts';

const reply = (message: LayoutReplyMessage) => process.send?.(message);

process.on('message', (message: LayoutRequestMessage) => {
  layoutGraph(message.graph).then(
    (laidOut) => reply({ id: message.id, laidOut }),
    (err: unknown) => reply({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
// Gone with its parent.
process.on('disconnect', () => process.exit(0));
