-- Schema 9: a plan's description and approval flag (3scale keeps both), and custom plans.

ALTER TABLE plans ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN approval_required INTEGER NOT NULL DEFAULT 0
    CHECK (approval_required IN (0, 1));

-- A custom plan (3scale's customize_plan) is one application's own copy of a plan: the plan it
-- was copied from and the application it was made for are set together, on custom plans only.
-- When the application leaves it (decustomize_plan, change_plan) it is retired: kept, because
-- the plan history and the invoices name it, and never used or changed again. It goes only
-- with its application (an account deleted before it was ever invoiced takes its applications,
-- their plan history and their custom plans with it).
ALTER TABLE plans ADD COLUMN original_plan_id INTEGER REFERENCES plans (id);
ALTER TABLE plans ADD COLUMN custom_for_application_id INTEGER
    REFERENCES applications (id) ON DELETE CASCADE
    CHECK ((custom_for_application_id IS NULL) = (original_plan_id IS NULL));
ALTER TABLE plans ADD COLUMN retired_at INTEGER
    CHECK (retired_at IS NULL OR custom_for_application_id IS NOT NULL);
CREATE INDEX plans_custom_for_application ON plans (custom_for_application_id)
    WHERE custom_for_application_id IS NOT NULL;
CREATE INDEX plans_original ON plans (original_plan_id) WHERE original_plan_id IS NOT NULL;
