// Changing a live STE or CD: the hitless update planner and the torn-update check.
export * from './plan';
export * from './torn';
