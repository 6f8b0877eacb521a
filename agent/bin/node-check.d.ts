export declare const MIN_NODE_MAJOR: number;
export declare const nodeVersionProblem: (version: string) => string | undefined;
