//! The themes of a 典型案例, as the notice names them (item 5), in the order the annual quality
//! report lists them.

/// The seven themes.
pub const CASE_THEMES: [&str; 7] = [
    "教学改革",
    "学生发展",
    "校企合作",
    "创新创业",
    "技能大赛",
    "社会服务",
    "国际交流",
];
