//! Who studies and works where. A major new this year has only this year's freshmen. Among the
//! staff, who does what: 专任教师, 专职辅导员, 专职思政课 and 心理健康教育
//! teachers in the numbers the ministry asks for (rule X16: 辅导员 ≥ 1:200, 思政课教师 ≥ 1:350,
//! 心理教师 ≥ 2 and ≥ 1:4000 students), the others 行政 or 教辅. Uses no randomness, and moves
//! only staff who teach no major, so that the teaching tables drawn later stay as they were.

use super::college::College;

/// Students per 专职辅导员 the demo keeps (the ministry's floor is 200).
const PER_COUNSELOR: usize = 180;
/// Students per 专职思政课教师 the demo keeps (the floor is 350).
const PER_IDEO: usize = 320;
/// Students per 专职心理教师 the demo keeps (the floor is 4000, and at least 2).
const PER_PSYCH: usize = 3500;

impl College {
    /// Gives every teacher a staff category and the 思政 roles, from the number of students.
    pub(super) fn assign_roles(&mut self) {
        let students = self.students.len();
        let org_of = |unit: &str| self.orgs.iter().position(|o| o.unit == unit);
        let (mks, xwb) = (org_of("mks"), org_of("xwb"));
        let heads: Vec<usize> = (0..self.orgs.len())
            .filter_map(|o| self.teachers.iter().position(|t| t.org == o))
            .collect();
        let leaders: Vec<usize> = (0..self.majors.len())
            .filter_map(|m| self.teachers.iter().position(|t| t.major == Some(m)))
            .collect();
        let free = |i: &usize| !heads.contains(i) && !leaders.contains(i);
        let staff: Vec<usize> = (0..self.teachers.len())
            .filter(|i| self.teachers[*i].major.is_none())
            .filter(free)
            .collect();
        let ideo = students.div_ceil(PER_IDEO);
        let psych = students.div_ceil(PER_PSYCH).max(3);
        for (k, &i) in staff.iter().enumerate() {
            let t = &mut self.teachers[i];
            if k < ideo {
                t.org = mks.unwrap_or(t.org);
                t.ideo = true;
            } else if k < ideo + psych {
                t.org = xwb.unwrap_or(t.org);
                t.psych = true;
            } else {
                t.category = if k % 2 == 0 { "02" } else { "03" };
            }
        }
        for (i, t) in self.teachers.iter_mut().enumerate() {
            if t.major.is_none() && !t.ideo && !t.psych && !staff.contains(&i) {
                t.category = "02";
            }
        }
        let teaching: Vec<usize> = (0..self.teachers.len())
            .filter(|i| self.teachers[*i].major.is_some())
            .filter(free)
            .collect();
        let counselors = students.div_ceil(PER_COUNSELOR).min(teaching.len());
        for k in 0..counselors {
            let i = teaching[k * teaching.len() / counselors.max(1)];
            self.teachers[i].category = "05";
        }
    }

    /// A major new this year has only this year's freshmen: the classes drawn for earlier grades
    /// are dropped (after drawing, so that every other person stays as drawn).
    pub(super) fn keep_enrolled_grades(&mut self) {
        let kept: Vec<bool> = self
            .classes
            .iter()
            .map(|c| c.grade >= self.majors[c.major].first_enrol)
            .collect();
        let mut index = Vec::with_capacity(kept.len());
        let mut next = 0;
        for k in &kept {
            index.push(next);
            next += usize::from(*k);
        }
        self.students.retain(|s| kept[s.class]);
        for s in &mut self.students {
            s.class = index[s.class];
        }
        let mut k = kept.iter();
        self.classes.retain(|_| k.next().copied().unwrap_or(false));
    }
}
