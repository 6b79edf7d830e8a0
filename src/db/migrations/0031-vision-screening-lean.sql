-- vision_screening.student_id without a foreign key: students are never deleted (only marked
-- deleted_at), every import resolves the student in the same transaction, and the key's check of
-- 1.1 million demo rows (and of every imported row) cost seconds at start-up for no protection.
alter table vision_screening drop constraint vision_screening_student_id_fkey;
