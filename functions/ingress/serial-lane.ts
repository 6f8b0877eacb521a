/** A serial lane: tasks run one after another; a failing task does not stop the lane. */
export function createLane(onError: (error: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  return (task: () => Promise<void>) => {
    tail = tail.then(task).catch(onError);
    return tail;
  };
}

export type Lane = ReturnType<typeof createLane>;
