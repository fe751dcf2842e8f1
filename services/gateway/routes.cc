#include "routes.h"

namespace renkei::gateway {

// The gateway's REST routes: one row per route, the only place they are written down
// (docs/gateway.md is printed from this table by `renkei-gateway --routes-markdown`).
//
// Path parameters ({name}) fill the request field of that name (dotted paths reach into
// messages); query parameters fill fields the same way on every method; methods other than GET
// take the request as protobuf JSON in the body. Streaming RPCs (directory import/export) and the
// operator's AdminService are not exposed: they stay on gRPC and renkeictl.
const std::vector<Route>& Routes() {
  // clang-format off
  static const std::vector<Route> routes = {
      // 相談受付 (intake)
      {"POST", "/api/v1/consultations", "renkei.v1.IntakeService.CreateConsultation", "相談を受け付ける"},
      {"GET", "/api/v1/consultations", "renkei.v1.IntakeService.ListConsultations", "相談の一覧"},
      {"GET", "/api/v1/consultations/{id}", "renkei.v1.IntakeService.GetConsultation", "相談を開く"},
      {"PATCH", "/api/v1/consultations/{id}", "renkei.v1.IntakeService.UpdateConsultation", "相談を修正する"},
      {"POST", "/api/v1/consultations/{id}/status", "renkei.v1.IntakeService.ChangeStatus", "相談の状態を変える"},
      {"POST", "/api/v1/consultations/{id}/needs", "renkei.v1.IntakeService.AddNeed", "ニーズを追加する"},
      {"POST", "/api/v1/consultations/{id}/match", "renkei.v1.IntakeService.MatchResources", "資源を照合する"},
      {"POST", "/api/v1/consultations/{id}/referrals", "renkei.v1.IntakeService.Refer", "紹介する"},
      {"POST", "/api/v1/consultations/{id}/referrals/{referral_id}/outcome", "renkei.v1.IntakeService.RecordReferralOutcome", "紹介の結果を記録する"},
      {"POST", "/api/v1/consultations/{id}/follow-ups", "renkei.v1.IntakeService.AddFollowUp", "フォローアップを追加する"},
      {"POST", "/api/v1/consultations/{id}/follow-ups/{follow_up_id}/done", "renkei.v1.IntakeService.CompleteFollowUp", "フォローアップを完了する"},
      {"POST", "/api/v1/consultations/{id}/seed", "renkei.v1.IntakeService.RaiseIssueSeed", "地域課題のタネとして記録する"},
      {"GET", "/api/v1/follow-ups/overdue", "renkei.v1.IntakeService.ListOverdueFollowUps", "期限切れのフォローアップ"},
      {"GET", "/api/v1/issue-seeds", "renkei.v1.IntakeService.ListIssueSeeds", "地域課題のタネの一覧"},
      {"GET", "/api/v1/digest", "renkei.v1.IntakeService.GetDigest", "定例ミーティング資料"},
      {"GET", "/api/v1/need-gaps", "renkei.v1.IntakeService.GetNeedGaps", "ニーズの組合せ別の資源の空白 (年度の需要と供給)"},
      // 資源検索 (directory)
      {"GET", "/api/v1/resources", "renkei.v1.DirectoryService.SearchResources", "資源を検索する"},
      {"GET", "/api/v1/resources/{id}", "renkei.v1.DirectoryService.GetResource", "資源を開く"},
      {"POST", "/api/v1/resources", "renkei.v1.DirectoryService.UpsertResource", "資源を登録・更新する"},
      {"DELETE", "/api/v1/resources/{id}", "renkei.v1.DirectoryService.DeleteResource", "資源を削除する"},
      {"GET", "/api/v1/gap-report/{municipality_code}", "renkei.v1.DirectoryService.GetGapReport", "資源の空白"},
      {"GET", "/api/v1/capabilities", "renkei.v1.DirectoryService.ListCapabilities", "機能の一覧"},
      // 資源調査 (directory)
      {"POST", "/api/v1/resource-surveys", "renkei.v1.ResourceSurveyService.StartResourceSurvey", "資源調査を始める"},
      {"GET", "/api/v1/resource-surveys", "renkei.v1.ResourceSurveyService.ListResourceSurveys", "資源調査の一覧"},
      {"GET", "/api/v1/resource-surveys/{id}", "renkei.v1.ResourceSurveyService.GetResourceSurvey", "資源調査を開く (回答率)"},
      {"GET", "/api/v1/resource-surveys/{campaign_id}/invitations", "renkei.v1.ResourceSurveyService.ListResourceSurveyInvitations", "依頼と回答 (確認待ちの一覧)"},
      {"GET", "/api/v1/resource-surveys/{campaign_id}/letters", "renkei.v1.ResourceSurveyService.RenderResourceSurveyLetters", "依頼状 (A4 印刷用)"},
      {"POST", "/api/v1/resource-surveys/{campaign_id}/reminders", "renkei.v1.ResourceSurveyService.RemindResourceSurvey", "未回答の事業所に催促する"},
      {"POST", "/api/v1/resource-survey-invitations/{invitation_id}/revoke", "renkei.v1.ResourceSurveyService.RevokeResourceSurveyLink", "回答用リンクを無効にする"},
      {"POST", "/api/v1/resource-survey-invitations/{invitation_id}/reissue", "renkei.v1.ResourceSurveyService.ReissueResourceSurveyLink", "回答用リンクを出し直す"},
      {"POST", "/api/v1/resource-survey-invitations/{invitation_id}/review", "renkei.v1.ResourceSurveyService.ReviewResourceSurveyAnswer", "回答を確認して反映する"},
      // 地域課題 (issues)
      {"GET", "/api/v1/issue-candidates", "renkei.v1.IssuesService.ListCandidates", "課題候補の一覧"},
      {"POST", "/api/v1/issue-candidates/{candidate_id}/accept", "renkei.v1.IssuesService.AcceptCandidate", "課題候補を地域課題にする"},
      {"POST", "/api/v1/issue-candidates/{candidate_id}/merge", "renkei.v1.IssuesService.MergeCandidate", "課題候補を統合する"},
      {"POST", "/api/v1/issue-candidates/{candidate_id}/dismiss", "renkei.v1.IssuesService.DismissCandidate", "課題候補を見送る"},
      {"POST", "/api/v1/issues", "renkei.v1.IssuesService.CreateIssue", "地域課題を作る"},
      {"GET", "/api/v1/issues", "renkei.v1.IssuesService.ListIssues", "地域課題の一覧"},
      {"GET", "/api/v1/issues/{id}", "renkei.v1.IssuesService.GetIssue", "地域課題を開く"},
      {"PATCH", "/api/v1/issues/{id}", "renkei.v1.IssuesService.UpdateIssue", "地域課題を更新する (ワークシート 問1–問5)"},
      {"POST", "/api/v1/issues/{id}/countermeasures", "renkei.v1.IssuesService.AddCountermeasure", "対応策を追加する"},
      {"PATCH", "/api/v1/issues/{id}/countermeasures/{countermeasure_id}", "renkei.v1.IssuesService.UpdateCountermeasure", "対応策を更新する"},
      {"POST", "/api/v1/issues/{id}/expected-changes", "renkei.v1.IssuesService.AddExpectedChange", "期待される変化を追加する"},
      {"PATCH", "/api/v1/issues/{id}/expected-changes/{expected_change_id}", "renkei.v1.IssuesService.UpdateExpectedChange", "期待される変化を更新する"},
      {"POST", "/api/v1/issues/{id}/advance", "renkei.v1.IssuesService.AdvanceStep", "次のステップへ進める"},
      {"POST", "/api/v1/issues/{id}/return", "renkei.v1.IssuesService.ReturnToStep", "前のステップへ戻す"},
      {"POST", "/api/v1/issues/{id}/new-cycle", "renkei.v1.IssuesService.StartNewCycle", "新しいサイクルを始める"},
      {"POST", "/api/v1/issues/{id}/escalate", "renkei.v1.IssuesService.EscalateIssue", "都道府県へ上げる"},
      {"GET", "/api/v1/issues/{id}/worksheet", "renkei.v1.IssuesService.ExportWorksheet", "ワークシートを出力する"},
      {"GET", "/api/v1/wide-area-issues", "renkei.v1.IssuesService.ListWideAreaIssues", "広域の課題"},
      {"POST", "/api/v1/meetings", "renkei.v1.IssuesService.RecordMeeting", "会議を記録する"},
      {"GET", "/api/v1/meetings", "renkei.v1.IssuesService.ListMeetings", "会議の一覧"},
      {"GET", "/api/v1/meetings/{id}", "renkei.v1.IssuesService.GetMeeting", "会議を開く"},
      {"PATCH", "/api/v1/meetings/{meeting.id}", "renkei.v1.IssuesService.UpdateMeeting", "会議録を更新する"},
      // 研修 (training)
      {"GET", "/api/v1/skill-framework", "renkei.v1.TrainingService.GetSkillFramework", "スキルの枠組み"},
      {"PUT", "/api/v1/skill-framework", "renkei.v1.TrainingService.PublishSkillFramework", "スキルの枠組みを公開する"},
      {"POST", "/api/v1/trainings", "renkei.v1.TrainingService.CreateTraining", "研修を作る"},
      {"GET", "/api/v1/trainings", "renkei.v1.TrainingService.ListTrainings", "研修の一覧"},
      {"GET", "/api/v1/trainings/{id}", "renkei.v1.TrainingService.GetTraining", "研修を開く"},
      {"PATCH", "/api/v1/trainings/{training.id}", "renkei.v1.TrainingService.UpdateTraining", "研修を更新する"},
      {"POST", "/api/v1/trainings/{id}/cancel", "renkei.v1.TrainingService.CancelTraining", "研修を中止する"},
      {"POST", "/api/v1/trainings/{training_id}/sessions", "renkei.v1.TrainingService.AddSession", "回を追加する"},
      {"PATCH", "/api/v1/trainings/{training_id}/sessions/{session.id}", "renkei.v1.TrainingService.UpdateSession", "回を更新する"},
      {"POST", "/api/v1/trainings/{training_id}/sessions/{session_id}/attendance", "renkei.v1.TrainingService.RecordAttendance", "出欠を記録する"},
      {"GET", "/api/v1/trainings/{training_id}/survey-results", "renkei.v1.TrainingService.GetSurveyResults", "アンケート結果"},
      {"GET", "/api/v1/calendar", "renkei.v1.TrainingService.ExportCalendar", "研修カレンダー (.ics)"},
      {"GET", "/api/v1/peers", "renkei.v1.TrainingService.ListPeers", "コーディネーターのつながり"},
      {"POST", "/api/v1/registrations", "renkei.v1.TrainingService.Register", "研修に申し込む"},
      {"GET", "/api/v1/registrations", "renkei.v1.TrainingService.ListRegistrations", "申込の一覧"},
      {"GET", "/api/v1/registrations/{id}", "renkei.v1.TrainingService.GetRegistration", "申込を開く"},
      {"POST", "/api/v1/registrations/{id}/cancel", "renkei.v1.TrainingService.CancelRegistration", "申込を取り消す"},
      {"POST", "/api/v1/registrations/{registration_id}/survey", "renkei.v1.TrainingService.SubmitSurvey", "アンケートに回答する"},
      // 指標 (indicators)
      {"POST", "/api/v1/indicators", "renkei.v1.IndicatorsService.DefineIndicator", "指標を定義する"},
      {"GET", "/api/v1/indicators", "renkei.v1.IndicatorsService.ListIndicators", "指標の一覧"},
      {"GET", "/api/v1/indicators/{code}", "renkei.v1.IndicatorsService.GetIndicator", "指標を開く"},
      {"GET", "/api/v1/indicators/{indicator_code}/history", "renkei.v1.IndicatorsService.GetObservationHistory", "観測値の履歴"},
      {"GET", "/api/v1/indicators/{indicator_code}/series", "renkei.v1.IndicatorsService.GetSeries", "時系列"},
      {"GET", "/api/v1/indicators/{indicator_code}/comparison", "renkei.v1.IndicatorsService.Compare", "市区町村の比較"},
      {"GET", "/api/v1/indicators/{indicator_code}/rollup", "renkei.v1.IndicatorsService.RollUp", "集計値"},
      {"POST", "/api/v1/observations", "renkei.v1.IndicatorsService.RecordObservation", "観測値を記録する"},
      {"GET", "/api/v1/observations/export", "renkei.v1.IndicatorsService.ExportObservations", "観測値を出力する"},
      {"POST", "/api/v1/observations/import", "renkei.v1.IndicatorsService.ImportObservations", "観測値を取り込む"},
      {"GET", "/api/v1/issues/{issue_id}/progress", "renkei.v1.IndicatorsService.GetIssueProgress", "地域課題の進捗 (期待される変化)"},
      // コーディネーターのネットワーク (network)
      {"POST", "/api/v1/coordinator-profiles", "renkei.v1.NetworkService.PutProfile", "プロフィールを登録・更新する"},
      {"GET", "/api/v1/coordinator-profiles", "renkei.v1.NetworkService.ListProfiles", "コーディネーターを探す"},
      {"GET", "/api/v1/coordinator-profiles/{id}", "renkei.v1.NetworkService.GetProfile", "プロフィールを開く"},
      {"POST", "/api/v1/peer-requests", "renkei.v1.NetworkService.AskPeer", "コーディネーターに相談する"},
      {"GET", "/api/v1/peer-requests", "renkei.v1.NetworkService.ListPeerRequests", "相談依頼の受信箱・送信箱"},
      {"GET", "/api/v1/peer-requests/{id}", "renkei.v1.NetworkService.GetPeerRequest", "相談依頼を開く"},
      {"POST", "/api/v1/peer-requests/{id}/steps", "renkei.v1.NetworkService.RespondToPeerRequest", "相談依頼に応じる"},
      {"POST", "/api/v1/practices", "renkei.v1.NetworkService.PublishPractice", "地域課題を取組事例として公開する"},
      {"GET", "/api/v1/practices", "renkei.v1.NetworkService.SearchPractices", "取組事例を探す"},
      {"GET", "/api/v1/practices/{id}", "renkei.v1.NetworkService.GetPractice", "取組事例を開く"},
      {"POST", "/api/v1/practices/{id}/withdraw", "renkei.v1.NetworkService.WithdrawPractice", "取組事例の公開をやめる"},
      {"POST", "/api/v1/practices/{id}/notes", "renkei.v1.NetworkService.AnnotatePractice", "取組事例に注記する"},
      // 医療・介護関係者の情報共有 (sharing)
      {"POST", "/api/v1/documents", "renkei.v1.SharingService.PublishDocument", "ルール・様式を公開する (新しい版)"},
      {"GET", "/api/v1/documents", "renkei.v1.SharingService.ListDocuments", "ルール・様式の一覧"},
      {"GET", "/api/v1/documents/{id}", "renkei.v1.SharingService.GetDocument", "ルール・様式を開く"},
      {"GET", "/api/v1/documents/{document_id}/file", "renkei.v1.SharingService.GetDocumentFile", "ルール・様式のファイル", true},
      {"POST", "/api/v1/documents/{id}/withdraw", "renkei.v1.SharingService.WithdrawDocument", "ルール・様式を取り下げる"},
      {"POST", "/api/v1/notices", "renkei.v1.SharingService.PublishNotice", "お知らせを出す・直す"},
      {"GET", "/api/v1/notices", "renkei.v1.SharingService.ListNotices", "お知らせの一覧"},
      {"POST", "/api/v1/notices/{id}/withdraw", "renkei.v1.SharingService.WithdrawNotice", "お知らせを取り下げる"},
      {"GET", "/api/v1/subscribers", "renkei.v1.SharingService.ListSubscribers", "お知らせメールの配信先"},
      {"POST", "/api/v1/subscribers", "renkei.v1.SharingService.Subscribe", "配信先を登録する (確認メールを送る)"},
      {"POST", "/api/v1/subscribers/{id}/remove", "renkei.v1.SharingService.RemoveSubscriber", "配信先を削除する"},
      {"GET", "/api/v1/liaison-contacts", "renkei.v1.ResourceSurveyService.ExportLiaisonContacts", "連携窓口一覧 (CSV)", true},
      // 住民向けイベント (training)
      {"GET", "/api/v1/public-events", "renkei.v1.TrainingService.ListPublicEvents", "住民向けイベントの一覧"},
      {"POST", "/api/v1/trainings/{training_id}/awareness", "renkei.v1.TrainingService.SubmitAwarenessAnswers", "意識調査の回答を入力する (紙の回答票)"},
      {"GET", "/api/v1/trainings/{training_id}/awareness", "renkei.v1.TrainingService.GetAwarenessResults", "意識調査の結果 (参加前・参加後)"},
  };
  // clang-format on
  return routes;
}

}  // namespace renkei::gateway

namespace renkei::gateway {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router::Router(const std::vector<Route>& routes) {
  for (const auto& r : routes) routes_.push_back({&r, Segments(r.path)});
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch out;
  if (path.empty() || path.front() != '/') return out;
  const std::vector<std::string> segments = Segments(path);
  int best_literals = -1;
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (IsParam(r.segments[i])) {
        ok = !segments[i].empty();
      } else {
        ok = r.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!ok) continue;
    if (method != r.route->method) {
      out.path_known = true;
      continue;
    }
    if (literals <= best_literals) continue;
    best_literals = literals;
    out.route = r.route;
    out.path_params.clear();
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(r.segments[i])) {
        out.path_params.emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2),
                                     segments[i]);
      }
    }
  }
  if (out.route != nullptr) out.path_known = true;
  return out;
}

std::string ConcretePath(const Route& route, const std::string& value) {
  std::string out;
  for (const std::string& segment : Segments(route.path)) {
    out += "/" + (IsParam(segment) ? value : segment);
  }
  return out;
}

const std::vector<Route>& PublicRoutes() {
  // clang-format off
  static const std::vector<Route> routes = {
      {"POST", "/public/v1/survey/form", "renkei.v1.ResourceSurveyService.OpenResourceSurveyForm", "資源調査の回答フォームを開く (回答用リンクのトークン)"},
      {"POST", "/public/v1/survey/answer", "renkei.v1.ResourceSurveyService.SaveResourceSurveyAnswer", "資源調査の回答を保存・送信する"},
      {"POST", "/public/v1/map", "renkei.v1.ResourceMapService.GetResourceMap", "公開資源マップ (市区町村の医療・介護資源、公開項目のみ)"},
      {"POST", "/public/v1/events", "renkei.v1.TrainingService.ListPublicEvents", "住民向けイベントの一覧"},
      {"POST", "/public/v1/events/get", "renkei.v1.TrainingService.GetPublicEvent", "住民向けイベントを開く"},
      {"GET", "/public/v1/events.ics", "renkei.v1.TrainingService.ExportPublicCalendar", "住民向けイベントのカレンダー (iCalendar)", true},
      {"POST", "/public/v1/events/register", "renkei.v1.TrainingService.RegisterForPublicEvent", "住民向けイベントに申し込む", false, true},
      {"POST", "/public/v1/events/registration", "renkei.v1.TrainingService.GetPublicRegistration", "申込を確かめる (取消用リンクのトークン)"},
      {"POST", "/public/v1/events/cancel", "renkei.v1.TrainingService.CancelPublicRegistration", "申込を取り消す (取消用リンクのトークン)"},
      {"POST", "/public/v1/events/awareness", "renkei.v1.TrainingService.SubmitAwarenessAnswers", "意識調査に答える (匿名)", false, true},
      {"POST", "/public/v1/board", "renkei.v1.SharingService.GetProfessionalsBoard", "医療・介護関係者向けのお知らせとルール・様式"},
      {"GET", "/public/v1/notices.atom", "renkei.v1.SharingService.RenderNoticeFeed", "お知らせの Atom フィード", true},
      {"GET", "/public/v1/documents/{document_id}/file", "renkei.v1.SharingService.GetDocumentFile", "公開のルール・様式のファイル", true},
      {"POST", "/public/v1/subscriptions", "renkei.v1.SharingService.Subscribe", "お知らせメールに登録する (確認メールが届く)", false, true},
      {"POST", "/public/v1/subscriptions/confirm", "renkei.v1.SharingService.ConfirmSubscription", "登録を確定する (確認メールのトークン)"},
      {"POST", "/public/v1/subscriptions/unsubscribe", "renkei.v1.SharingService.Unsubscribe", "配信を停止する (メールのトークン)"},
  };
  // clang-format on
  return routes;
}

const std::vector<OwnRoute>& OwnRoutes() {
  // clang-format off
  static const std::vector<OwnRoute> routes = {
      {"POST", "/api/v1/login", "renkei.v1.LoginRequest", "renkei.v1.ConsoleSession", "ログインする (パスワード)", "public"},
      {"POST", "/api/v1/login/new-password", "renkei.v1.NewPasswordRequest", "renkei.v1.ConsoleSession", "ログイン: 初期パスワードを変える", "pending"},
      {"POST", "/api/v1/login/second-factor", "renkei.v1.SecondFactorRequest", "renkei.v1.ConsoleSession", "ログイン: 確認コード (二要素認証)", "pending"},
      {"POST", "/api/v1/login/totp-enrollment", "", "renkei.v1.TotpEnrollment", "ログイン: 認証アプリを登録する (QR コード)", "pending"},
      {"POST", "/api/v1/login/totp-confirmation", "renkei.v1.TotpConfirmation", "renkei.v1.TotpEnrolled", "ログイン: 認証アプリの登録を確かめる", "pending"},
      {"POST", "/api/v1/logout", "", "", "ログアウトする (トークンを無効にする)", "public"},
      {"GET", "/api/v1/session", "", "renkei.v1.ConsoleSession", "ログイン中の利用者と権限", "session"},
      {"GET", "/api/v1/sessions", "", "renkei.v1.ConsoleSessionList", "自分のログイン (端末) の一覧", "session"},
      {"DELETE", "/api/v1/sessions/{id}", "", "", "自分のログインを終わらせる", "session"},
      {"POST", "/api/v1/account/password", "renkei.v1.NewPasswordRequest", "", "自分のパスワードを変える", "session"},
      {"POST", "/api/v1/account/totp-enrollment", "renkei.v1.LoginRequest", "renkei.v1.TotpEnrollment", "認証アプリを登録する (QR コード; 今のパスワードを password に)", "session"},
      {"POST", "/api/v1/account/totp-confirmation", "renkei.v1.TotpConfirmation", "renkei.v1.TotpEnrolled", "認証アプリの登録を確かめる (回復コード)", "session"},
      {"GET", "/api/v1/accounts", "", "renkei.v1.AccountList", "職員のアカウントの一覧", "accounts"},
      {"POST", "/api/v1/accounts", "renkei.v1.CreateAccountRequest", "renkei.v1.AccountCreated", "職員のアカウントを作る (初期パスワード)", "accounts"},
      {"POST", "/api/v1/accounts/{login}/disable", "renkei.v1.DisableAccountRequest", "renkei.v1.AccountSummary", "アカウントを停止する・再開する", "accounts"},
      {"POST", "/api/v1/accounts/{login}/password-reset", "", "renkei.v1.AccountCreated", "パスワードを再設定する (初期パスワード)", "accounts"},
      {"POST", "/api/v1/accounts/{login}/two-factor-reset", "", "renkei.v1.AccountSummary", "二要素認証を解除する (認証アプリの紛失)", "accounts"},
      {"GET", "/api/v1/openapi.json", "", "", "この API の説明 (OpenAPI 3)", "public"},
  };
  // clang-format on
  return routes;
}

std::vector<Route> OwnRoutesAsRoutes() {
  std::vector<Route> out;
  for (const auto& r : OwnRoutes()) out.push_back(Route{r.method, r.path, "", r.summary});
  return out;
}

std::string RoutesMarkdown() {
  std::string out = "| method | path | gRPC | |\n|---|---|---|---|\n";
  std::vector<Route> all = Routes();
  all.insert(all.end(), PublicRoutes().begin(), PublicRoutes().end());
  for (const auto& r : all) {
    std::string_view rpc = r.rpc;
    if (rpc.substr(0, 10) == "renkei.v1.") rpc.remove_prefix(10);
    out += "| ";
    out += r.method;
    out += " | `";
    out += r.path;
    out += "` | ";
    out += rpc;
    out += " | ";
    out += r.summary;
    out += " |\n";
  }
  out +=
      "\nThe gateway's own routes (no service behind them):\n\n"
      "| method | path | body | answer | caller | |\n|---|---|---|---|---|---|\n";
  auto name = [](std::string_view message) {
    if (message.empty()) return std::string("—");
    if (message.substr(0, 10) == "renkei.v1.") message.remove_prefix(10);
    return std::string(message);
  };
  for (const auto& r : OwnRoutes()) {
    out += std::string("| ") + r.method + " | `" + r.path + "` | " + name(r.request) + " | " +
           name(r.response) + " | " + r.caller + " | " + r.summary + " |\n";
  }
  return out;
}

}  // namespace renkei::gateway
