//! Every entry kind, declared once: its name in the envelope, its body
//! type, the roles that may sign it (for the county, the offices whose remit
//! it is: `County(Root, Registry)`, A2), the rule ids of docs/domain.md it
//! checks, its rule, and — for a kind that can act over a party (A1) — whom
//! it acts over and the departments that may be its second hand.
//!
//! The table is a macro that hands its rows to another: `model::command`
//! makes the `Command` enum and what describes each kind from it, below the
//! rules; `model::kinds` makes the dispatch to each kind's rule, above them.
//! So a new kind is one row here (and its body type and rule).

/// Calls `$then!` with every row of the table.
macro_rules! kinds_table {
    ($then:ident) => {
        $then! {
                "genesis" => Genesis(Box<Genesis>) by [] under [] rule |_, _, _, _, _| Err(RuleError::GenesisMisplaced);
                "key.register" => KeyRegister(KeyRegister) by [County(Root, Registry), Exchange, Collective, Household, Transferee, Member] under ["A1", "A2", "A6"] rule |s, _, c, k, b| rules::key_register(s, c, k, b), over rules::acts::over_key, hands [Registry];
                "key.revoke" => KeyRevoke(KeyRevoke) by [County(Root, Registry), Exchange, Collective, Household, Transferee, Member] under ["A6", "A7"] rule |s, _, c, k, b| rules::key_revoke(s, c, k, b);
                "collective.register" => CollectiveRegister(Box<CollectiveRegister>) by [County(Registry)] under ["P1", "C8"] rule |s, _, c, k, b| rules::collective_register(s, c, k, b);
                "parcel.register" => ParcelRegister(Box<ParcelRegister>) by [Collective] under ["P1", "C7", "C8"] rule |s, l, c, k, b| rules::parcel_register(s, l, c, k, b);
                "parcel.retire" => ParcelRetire(ParcelRetire) by [Collective] under ["C4"] rule |s, _, c, k, b| rules::parcel_retire(s, c, k, b);
                "encumbrance.register" => EncumbranceRegister(EncumbranceRegister) by [County(Registry, Justice), Collective, Household, Transferee] under ["M2", "M6", "H4", "R2"] rule |s, l, c, k, b| rules::encumbrance_register(s, l, c, k, b);
                "encumbrance.release" => EncumbranceRelease(EncumbranceRelease) by [County(Registry, Justice), Collective, Household] under ["R2"] rule |s, _, c, k, b| rules::encumbrance_release(s, c, k, b);
                "decision.record" => DecisionRecord(DecisionRecord) by [Collective] under ["D1", "D2", "D3"] rule |s, _, c, k, b| rules::decision_record(s, c, k, b);
                "household.register" => HouseholdRegister(HouseholdRegister) by [Collective] under ["P1", "P2", "P3"] rule |s, _, c, k, b| rules::household_register(s, c, k, b);
                "household.join" => HouseholdJoin(HouseholdJoin) by [Collective, Household] under ["A1", "P2", "P3", "C3"] rule |s, _, c, k, b| rules::household_join(s, c, k, b), over rules::acts::over_joined, hands [CivilRegistration];
                "contract.grant" => ContractGrant(ContractGrant) by [Collective] under ["C1", "C2", "C3", "C4"] rule |s, _, c, k, b| rules::contract_grant(s, c, k, b);
                "shares.quantify" => SharesQuantify(SharesQuantify) by [Collective] under ["S1", "D1"] rule |s, _, c, k, b| rules::shares_quantify(s, c, k, b);
                "shares.transfer" => SharesTransfer(SharesTransfer) by [Household] under ["S2"] rule |s, _, c, k, b| rules::shares_transfer(s, c, k, b);
                "shares.buyback" => SharesBuyback(SharesBuyback) by [Household] under ["S2", "G4"] rule |s, _, c, k, b| rules::shares_buyback(s, c, k, b);
                "dividend.distribute" => DividendDistribute(DividendDistribute) by [Collective] under ["S3", "S4"] rule |s, _, c, k, b| rules::dividend_distribute(s, c, k, b);
                "member.admit" => MemberAdmit(MemberAdmit) by [Collective] under ["P4", "D1"] rule |s, _, c, k, b| rules::member_admit(s, c, k, b);
                "member.end" => MemberEnd(MemberEnd) by [Collective] under ["A1", "P4", "P5", "C5", "S5", "G4"] rule |s, _, c, k, b| rules::member_end(s, c, k, b), over rules::acts::over_member, hands [CivilRegistration];
                "estate.settle" => EstateSettle(EstateSettle) by [Collective] under ["A1", "I1", "I2", "I3", "I4", "G1"] rule |s, _, c, k, b| rules::estate_settle(s, c, k, b), over rules::acts::over_estate, hands [CivilRegistration];
                "homestead.grant" => HomesteadGrant(Box<HomesteadGrant>) by [County(NaturalResources)] under ["H1", "H2", "H3"] rule |s, l, c, k, b| rules::homestead_grant(s, l, c, k, b);
                "homestead.exit" => HomesteadExit(HomesteadExit) by [Household] under ["H5", "G4"] rule |s, _, c, k, b| rules::homestead_exit(s, c, k, b);
                "contract.return" => ContractReturn(ContractReturn) by [Household] under ["C6", "G4"] rule |s, _, c, k, b| rules::contract_return(s, c, k, b);
                "notice.post" => NoticePost(NoticePost) by [Collective] under ["C3"] rule |s, _, c, k, b| rules::notice_post(s, c, k, b);
                "certificate.issue" => CertificateIssue(CertificateIssue) by [County(Registry), Collective] under ["C3", "R2", "A1", "A7"] rule |s, _, c, k, b| rules::certificate_issue(s, c, k, b), over rules::acts::over_certificate, hands [Registry];
                "county.settings" => CountySettings(CountySettings) by [County(Root)] under [] rule |s, _, c, k, b| rules::county_settings(s, c, k, b);
                "parcel.split" => ParcelSplit(Box<ParcelSplit>) by [Collective] under ["C7"] rule |s, l, c, k, b| rules::parcel_split(s, l, c, k, b);
                "parcel.merge" => ParcelMerge(Box<ParcelMerge>) by [Collective] under ["C7"] rule |s, l, c, k, b| rules::parcel_merge(s, l, c, k, b);
                "household.split" => HouseholdSplit(HouseholdSplit) by [Household, Collective, County(Justice)] under ["A1", "P3", "W2", "R1"] rule |s, _, c, k, b| rules::household_split(s, c, k, b), over rules::acts::over_split, hands [Registry, Justice];
                "household.merge" => HouseholdMerge(HouseholdMerge) by [Household] under ["P3", "H1", "G1"] rule |s, _, c, k, b| rules::household_merge(s, c, k, b);
                "contract.extend" => ContractExtend(ContractExtend) by [Collective] under ["C2", "C4"] rule |s, _, c, k, b| rules::contract_extend(s, c, k, b);
                "contract.renew" => ContractRenew(ContractRenew) by [Collective] under ["C2"] rule |s, _, c, k, b| rules::contract_renew(s, c, k, b);
                "contract.renew_all" => ContractRenewAll(ContractRenewAll) by [Collective] under ["C2", "C3"] rule |s, _, c, k, b| rules::contract_renew_all(s, c, k, b);
                "listing.submit" => ListingSubmit(ListingSubmit) by [Collective, Household, Transferee] under ["X1", "M2", "M3", "M9", "H3", "S2", "X5"] rule |s, _, c, k, b| rules::exchange::listing_submit(s, c, k, b);
                "listing.review" => ListingReview(ListingReview) by [Exchange] under ["X2", "X3"] rule |s, _, c, k, b| rules::exchange::listing_review(s, c, k, b);
                "intent.register" => IntentRegister(IntentRegister) by [Household, Transferee] under ["X2", "M8", "X6"] rule |s, _, c, k, b| rules::exchange::intent_register(s, c, k, b);
                "deposit.confirm" => DepositConfirm(DepositConfirm) by [Exchange] under ["X2"] rule |s, _, c, k, b| rules::exchange::deposit_confirm(s, c, k, b);
                "bid.place" => BidPlace(BidPlace) by [Household, Transferee] under ["X4"] rule |s, _, c, k, b| rules::exchange::bid_place(s, c, k, b);
                "bid.match" => BidMatch(BidMatch) by [Household, Transferee] under ["M3", "M9"] rule |s, _, c, k, b| rules::exchange::bid_match(s, c, k, b);
                "listing.award" => ListingAward(ListingAward) by [Exchange] under ["X4", "M5"] rule |s, l, c, k, b| rules::exchange::listing_award(s, l, c, k, b);
                "contract.sign" => ContractSign(ContractSign) by [Collective, Household, Transferee] under ["M5"] rule |s, _, c, k, b| rules::exchange::contract_sign(s, c, k, b);
                "title.verify" => TitleVerify(TitleVerify) by [County(Registry)] under ["X2"] rule |s, _, c, k, b| rules::exchange::title_verify(s, c, k, b);
                "payment.confirm" => PaymentConfirm(PaymentConfirm) by [Exchange] under ["X2", "M4"] rule |s, _, c, k, b| rules::exchange::payment_confirm(s, c, k, b);
                "deal.settle" => DealSettle(DealSettle) by [Exchange] under ["G2", "M6"] rule |s, _, c, k, b| rules::exchange::deal_settle(s, c, k, b);
                "right.certify" => RightCertify(RightCertify) by [County(Registry)] under ["M6"] rule |s, _, c, k, b| rules::exchange::right_certify(s, c, k, b);
                "right.end" => RightEnd(RightEnd) by [Household] under ["M7"] rule |s, _, c, k, b| rules::exchange::right_end(s, c, k, b);
                "hukou.settle" => HukouSettle(HukouSettle) by [County(CivilRegistration), Collective] under ["G3", "C5", "H5", "S5"] rule |s, _, c, k, b| rules::exchange::hukou_settle(s, c, k, b);
                "attest.retention" => AttestRetention(AttestRetention) by [County(Registry)] under ["G3"] rule |s, _, c, k, b| rules::exchange::attest_retention(s, c, k, b);
                "assignment.consent" => AssignmentConsent(AssignmentConsent) by [Collective] under ["M2"] rule |s, _, c, k, b| rules::exchange::assignment_consent(s, c, k, b);
                "listing.object" => ListingObject(ListingObject) by [Collective, Household] under ["X2", "R2"] rule |s, _, c, k, b| rules::exchange::listing_object(s, c, k, b);
                "objection.resolve" => ObjectionResolve(ObjectionResolve) by [Exchange] under ["X2"] rule |s, _, c, k, b| rules::exchange::objection_resolve(s, c, k, b);
                "transfer.register" => TransferRegister(TransferRegister) by [Household] under ["G1", "M2", "S2"] rule |s, _, c, k, b| rules::exchange::transfer_register(s, c, k, b);
                "transferee.qualify" => TransfereeQualify(TransfereeQualify) by [County(Registry)] under ["M8", "X6"] rule |s, _, c, k, b| rules::exchange::transferee_qualify(s, c, k, b);
                "surrender.withdraw" => SurrenderWithdraw(SurrenderWithdraw) by [Household] under ["G4"] rule |s, _, c, k, b| rules::surrender::surrender_withdraw(s, c, k, b);
                "listing.withdraw" => ListingWithdraw(ListingWithdraw) by [Collective, Household, Transferee] under ["M3"] rule |s, _, c, k, b| rules::exchange::listing_withdraw(s, c, k, b);
                "award.cancel" => AwardCancel(AwardCancel) by [Exchange] under ["X2"] rule |s, _, c, k, b| rules::exchange::award_cancel(s, c, k, b);
                "payment.release" => PaymentRelease(PaymentRelease) by [Exchange] under ["M4"] rule |s, _, c, k, b| rules::exchange::payment_release(s, c, k, b);
                "objection.suit" => ObjectionSuit(ObjectionSuit) by [County(Justice)] under ["R2"] rule |s, _, c, k, b| rules::objection_suit(s, c, k, b);
                "dispute.award" => DisputeAward(DisputeAward) by [County(Justice)] under ["R1", "G1", "A1", "A2", "A3"] rule |s, l, c, k, b| rules::dispute_award(s, l, c, k, b, &DISPATCH), over rules::acts::over_award, hands [Registry, Justice];
                "expropriation.announce" => ExpropriationAnnounce(ExpropriationAnnounce) by [County(NaturalResources)] under ["E1"] rule |s, _, c, k, b| rules::expropriation::expropriation_announce(s, c, k, b);
                "expropriation.plan" => ExpropriationPlan(ExpropriationPlan) by [County(NaturalResources)] under ["E1", "E2"] rule |s, _, c, k, b| rules::expropriation::expropriation_plan(s, c, k, b);
                "expropriation.hearing" => ExpropriationHearing(ExpropriationHearing) by [County(NaturalResources)] under ["E1"] rule |s, _, c, k, b| rules::expropriation::expropriation_hearing(s, c, k, b);
                "expropriation.pay" => ExpropriationPay(ExpropriationPay) by [County(NaturalResources)] under ["E1"] rule |s, _, c, k, b| rules::expropriation::expropriation_pay(s, c, k, b);
                "expropriation.withdraw" => ExpropriationWithdraw(ExpropriationWithdraw) by [County(NaturalResources)] under ["E1"] rule |s, _, c, k, b| rules::expropriation::expropriation_withdraw(s, c, k, b);
                "expropriation.receipt" => ExpropriationReceipt(ExpropriationReceipt) by [Household, Exchange] under ["E3"] rule |s, _, c, k, b| rules::expropriation::expropriation_receipt(s, c, k, b);
                "expropriation.ask_hearing" => ExpropriationAskHearing(ExpropriationAskHearing) by [Household] under ["E3"] rule |s, _, c, k, b| rules::expropriation::expropriation_ask_hearing(s, c, k, b);
                "expropriation.complete" => ExpropriationComplete(ExpropriationComplete) by [County(NaturalResources)] under ["A1", "E1", "E2", "G1"] rule |s, _, c, k, b| rules::expropriation::expropriation_complete(s, c, k, b), over rules::acts::over_expropriated, hands [Registry, NaturalResources];
                "act.object" => ActObject(ActObject) by [Household, Transferee, Member] under ["A3", "A6", "A7"] rule |s, _, c, k, b| rules::acts::act_object(s, c, k, b);
                // Signed by the log key, not a bound role: `decide` checks the signer
                // and carries it out before any role's rule (this one is never reached).
                "act.effect" => ActEffect(ActEffect) by [] under ["A3"] rule |_, _, _, _, _| Err(RuleError::KindNotAllowed { role: "log", kind: "act.effect" });
        }
    };
}

pub(crate) use kinds_table;
