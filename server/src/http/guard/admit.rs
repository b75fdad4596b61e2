//! What one `/graphql` request may spend once its caller is known: its estimated cost against the
//! caller's budget (small when anonymous), its running time, and a seat among the caller's heavy
//! requests in flight. The seat is given back when the request ends, however it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{too_complex, Refusal, RequestLimits};

/// How long a heavy request waits for one of its caller's seats before it is refused: a page that
/// loads a few panels at once (GraphiQL's introspection beside 我的任务 and 进度) gets through,
/// a flood does not pile up. The browser test met 429 with a one-second wait.
const SEAT_WAIT: Duration = Duration::from_secs(4);

/// The heavy requests in flight, per principal.
#[derive(Debug, Default)]
pub struct InFlight {
    heavy: Mutex<HashMap<String, usize>>,
}

impl InFlight {
    fn take(self: &Arc<Self>, key: &str, most: usize) -> Option<Seat> {
        let mut heavy = self.heavy.lock().unwrap_or_else(|p| p.into_inner());
        let n = heavy.entry(key.to_owned()).or_default();
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(Seat {
            in_flight: self.clone(),
            key: key.to_owned(),
        })
    }
}

/// One heavy request's seat, given back when dropped.
#[derive(Debug)]
struct Seat {
    in_flight: Arc<InFlight>,
    key: String,
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut heavy = self
            .in_flight
            .heavy
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = heavy.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                heavy.remove(&self.key);
            }
        }
    }
}

/// A request let in: its time budget, and its seat while it is heavy.
#[derive(Debug)]
pub struct Admission {
    /// How long the request may run.
    pub time: Duration,
    _seat: Option<Seat>,
}

impl Admission {
    /// Lets a request of `cost` in for `principal` (an account's staff number, or the client's
    /// address when anonymous), or refuses it with `TOO_COMPLEX`.
    pub async fn admit(
        limits: &RequestLimits,
        in_flight: &Arc<InFlight>,
        principal: Option<&str>,
        address: Option<std::net::IpAddr>,
        cost: u64,
    ) -> Result<Admission, Refusal> {
        let budget = if principal.is_some() {
            limits.signed_in
        } else {
            limits.anonymous
        };
        if cost > budget.cost {
            let hint = if principal.is_some() {
                "请减少字段、别名或每页行数（first）后重试"
            } else {
                "未登录时只能做很少的查询，请先登录"
            };
            return Err(too_complex(format!(
                "请求过于复杂：估算成本 {cost}，上限 {}；{hint}",
                budget.cost
            )));
        }
        let mut admission = Admission {
            time: budget.time,
            _seat: None,
        };
        if cost < limits.heavy_cost {
            return Ok(admission);
        }
        let key = match (principal, address) {
            (Some(p), _) => format!("account {p}"),
            (None, Some(a)) => format!("address {a}"),
            (None, None) => "anonymous".to_owned(),
        };
        let until = Instant::now() + SEAT_WAIT;
        loop {
            if let Some(seat) = in_flight.take(&key, limits.heavy_in_flight) {
                admission._seat = Some(seat);
                return Ok(admission);
            }
            if Instant::now() >= until {
                let mut refusal = too_complex(format!(
                    "您已有 {} 个耗时较长的请求正在处理，请稍后再试",
                    limits.heavy_in_flight
                ));
                // The same request passes once one of the others ends.
                refusal.status = axum::http::StatusCode::TOO_MANY_REQUESTS;
                return Err(refusal);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// The refusal of a request that ran out of time.
pub fn timed_out(time: Duration) -> Refusal {
    too_complex(format!(
        "请求处理超过 {} 秒，已取消；请缩小查询范围（减少字段、别名或每页行数）后重试",
        time.as_secs_f64()
    ))
}
