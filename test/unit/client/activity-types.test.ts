import { createActivities, type ActivityDeps } from '../../../src/activities';
import { LOCAL_ACTIVITY_TYPES, PAUSABLE_ACTIVITY_TYPES } from '../../../src/client/activity-pause';

/**
 * `pcw activities pause --type` knows the worker's activity types without loading activity code (callers never
 * import it): its two lists must be exactly what the worker registers.
 */
test('the pausable and local activity types are exactly the activities the worker registers', () => {
  const registered = Object.keys(createActivities({} as ActivityDeps)).sort();
  expect([...PAUSABLE_ACTIVITY_TYPES, ...LOCAL_ACTIVITY_TYPES].sort()).toEqual(registered);
});
