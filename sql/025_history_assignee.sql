-- Who an incident was assigned to, on the assign event itself: the incident row keeps only the last
-- assignee, and the history must name each (a unit reassigned, a unit that gave the task back).
ALTER TABLE incident_events ADD COLUMN assignee text;
