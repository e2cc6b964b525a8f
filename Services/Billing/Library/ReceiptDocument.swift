import ClinicService
import Foundation

/// A receipt as a printable page (收据): HTML with print CSS, the clinic's name, the number, the amount in the
/// treatment-fee field (治疗费), the bill's total, paid today and balance; a reprint carries 副本 / COPY.
struct ReceiptDocument {
    /// The clinic's name at the head of the page.
    let clinicName: String
    let clock: ClinicClock

    /// The page for `receipt`, marked as a copy when `copy`.
    func html(_ receipt: ReceiptRecord, copy: Bool, cashierName: String) -> String {
        let rows: [(String, String)] = [
            ("收据号 Receipt No.", receipt.displayNumber),
            ("日期 Date", clock.display(receipt.issuedAt)),
            ("患者 Patient", receipt.patientName),
            ("治疗费 Treatment fee", "¥" + Money.yuan(receipt.treatmentFeeFen)),
            ("合计 Total", "¥" + Money.yuan(receipt.totalFen)),
            ("本次实收 Paid today", "¥" + Money.yuan(receipt.paidTodayFen)),
            ("欠款 Balance", "¥" + Money.yuan(receipt.balanceFen)),
            ("付款方式 Method", Self.methodName(receipt.method)),
            ("收费员 Cashier", cashierName),
        ]
        let table = rows.map { label, value in
            "<tr><th>\(Self.escape(label))</th><td>\(Self.escape(value))</td></tr>"
        }.joined(separator: "\n")
        let mark = copy ? #"<p class="copy">副本 / COPY</p>"# : ""
        return """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>收据 \(Self.escape(receipt.displayNumber))</title>
            <style>
            body { font-family: "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 2em; }
            h1 { font-size: 1.4em; text-align: center; margin-bottom: 0.2em; }
            h2 { font-size: 1.1em; text-align: center; margin-top: 0; }
            table { width: 100%; border-collapse: collapse; }
            th, td { border: 1px solid #333; padding: 0.4em 0.6em; text-align: left; }
            .copy { font-size: 1.6em; font-weight: bold; color: #b00; text-align: center; border: 3px solid #b00; }
            @media print { @page { size: A5; margin: 12mm; } body { margin: 0; } .copy { color: #000; border-color: #000; } }
            </style></head>
            <body>
            <h1>\(Self.escape(clinicName))</h1>
            <h2>收据 RECEIPT</h2>
            \(mark)
            <table>
            \(table)
            </table>
            </body></html>
            """
    }

    /// How the page names a payment method.
    static func methodName(_ method: PaymentMethod) -> String {
        switch method {
        case .cash: "现金 Cash"
        case .bankCard: "银行卡 Bank card"
        case .socialInsurance: "社保 Social insurance"
        case .wechatPay: "微信支付 WeChat Pay"
        case .alipay: "支付宝 Alipay"
        }
    }

    /// Text made safe to put between HTML tags or in an attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
