/**
 * Serial lanes: tasks run one after another; a failing task does not stop the lane. A lane is
 * its tail promise (a stream keeps two, held as fields rather than a closure each).
 */
export type Lane = (task: () => Promise<void>) => Promise<void>;

/** The lane's next tail: `task` after everything queued so far, its failure given to `onError`. */
export const queueAfter = (
  tail: Promise<void>,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> => tail.then(task).catch(onError);
